"""Reads for the eligibility app."""

from __future__ import annotations

import logging
import time
from fractions import Fraction

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

from .models import Evaluation, IncomeBaseAmount, ParameterSet
from .rules import Parameters

logger = logging.getLogger(__name__)


def current_parameter_set() -> ParameterSet | None:
    return ParameterSet.objects.filter(is_active=True).order_by("-version").first()


def ibb_table() -> dict[int, int]:
    return dict(IncomeBaseAmount.objects.values_list("year", "amount"))


def parameters_from_set(parameter_set: ParameterSet | None, ibb: dict[int, int] | None = None) -> Parameters:
    """Plain ``Parameters`` from a row (defaults for anything missing) and the IBB table."""
    kwargs: dict = {}
    if parameter_set is not None:
        for name in ParameterSet.parameter_field_names():
            value = getattr(parameter_set, name)
            if hasattr(value, "as_integer_ratio") and not isinstance(value, int | float):
                value = Fraction(value)  # Decimal -> exact Fraction
            kwargs[name] = value
    if ibb:
        kwargs["ibb"] = ibb
    return Parameters(**kwargs)


def current_parameters() -> Parameters:
    """The active parameter set with the inkomstbasbelopp table, as a plain frozen dataclass.

    Falls back to the documented defaults (with a warning) when the tables are not there yet.
    """
    try:
        return parameters_from_set(current_parameter_set(), ibb_table())
    except DatabaseError:
        logger.warning("eligibility tables are missing; using the default parameters")
        return Parameters()


def current_parameters_with_set() -> tuple[Parameters, ParameterSet | None]:
    try:
        parameter_set = current_parameter_set()
        return parameters_from_set(parameter_set, ibb_table()), parameter_set
    except DatabaseError:
        logger.warning("eligibility tables are missing; using the default parameters")
        return Parameters(), None


#: How long a process may use the cached parameter set at most (saves and deletes clear it at once).
PARAMETERS_CACHE_SECONDS = 300

#: How long a process reuses the parameters it last read from the shared cache without asking the
#: cache again. A save in another process reaches this one after at most this long.
PARAMETERS_LOCAL_SECONDS = 2.0

# cache key -> ((Parameters, set id), monotonic time until which it is used without asking)
_LOCAL: dict[str, tuple[tuple[Parameters, int | None], float]] = {}
_clock = time.monotonic


def _parameters_cache_key() -> str:
    # The database name is part of the key: several databases (tests, benches) may share a Redis.
    return f"eligibility:current-parameters:v1:{settings.DATABASES['default'].get('NAME')}"


def cached_current_parameters_with_set_id() -> tuple[Parameters, int | None]:
    """The current eligibility parameters (active ``ParameterSet`` with the highest version, with
    the inkomstbasbelopp table) and that set's primary key, from the cache.

    For the hot, read-mostly paths: the public pre-check page and the evaluation that every
    submitted application gets. It saves the two queries and the conversion to ``Parameters`` of
    :func:`current_parameters_with_set` on each request; the value is the same, because every
    save or delete of a ``ParameterSet`` or ``IncomeBaseAmount`` (the admin or any other ORM
    write: see ``eligibility.apps``) clears the cache at once and again when its transaction
    commits. Writes that send no signals (``queryset.update()``, raw SQL, a data migration)
    must call :func:`clear_cached_parameters`; otherwise the value is at most
    ``PARAMETERS_CACHE_SECONDS`` old. Falls back to the defaults, uncached, when the tables are
    missing.

    Each process also keeps the value it read for ``PARAMETERS_LOCAL_SECONDS`` (2 s), which saves
    the cache round trip and the unpickling on every request, and keeps the same object while the
    value is unchanged. The process that saves clears its own copy at once; other processes see
    the change within those 2 seconds. (Every stored evaluation records the set it used.)
    """
    key = _parameters_cache_key()
    now = _clock()
    local = _LOCAL.get(key)
    if local is not None and local[1] > now:
        return local[0]
    hit = cache.get(key)
    if hit is None:
        try:
            parameter_set = current_parameter_set()
            hit = (parameters_from_set(parameter_set, ibb_table()), parameter_set.pk if parameter_set else None)
        except DatabaseError:
            logger.warning("eligibility tables are missing; using the default parameters")
            return Parameters(), None
        cache.set(key, hit, PARAMETERS_CACHE_SECONDS)
    if local is not None and local[0] == hit:
        # The same parameters as before: keep the object this process already has, since the
        # engine memoises its thresholds and month table per Parameters object.
        hit = local[0]
    _LOCAL[key] = (hit, now + PARAMETERS_LOCAL_SECONDS)
    return hit


def cached_current_parameters() -> Parameters:
    """:func:`cached_current_parameters_with_set_id` without the set's key."""
    return cached_current_parameters_with_set_id()[0]


def clear_cached_parameters() -> None:
    """Forget the cached parameters now and once more when the current transaction commits
    (so a request that read the old rows meanwhile cannot keep them)."""
    key = _parameters_cache_key()
    _LOCAL.pop(key, None)
    cache.delete(key)

    def forget():
        _LOCAL.pop(key, None)
        cache.delete(key)

    transaction.on_commit(forget)


def evaluation_get(pk: int) -> Evaluation:
    return Evaluation.objects.select_related("parameter_set").get(pk=pk)
