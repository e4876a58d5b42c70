"""Reads for the eligibility app."""

from __future__ import annotations

import logging
from fractions import Fraction

from django.db import DatabaseError

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


def evaluation_get(pk: int) -> Evaluation:
    return Evaluation.objects.select_related("parameter_set").get(pk=pk)
