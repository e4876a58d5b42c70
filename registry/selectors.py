"""Reads of the registry. Other apps use these, never the models' managers directly.

`organisation_for_employer(org_number=..., on_date=...)` is the "Hitta omställningsorganisation"
lookup (R-1.25): the registered organisation whose employer list holds the employer on that
date, or None, which means the employee belongs to the public organisation (OOO).
"""

from __future__ import annotations

import datetime
import weakref

from django.db.models import Exists, OuterRef, Q, QuerySet

try:
    from omstallning.core.identity import normalize_orgnr
except ImportError:  # pragma: no cover - identity.py is the eligibility engineer's; stdnum is the fallback
    from stdnum.se import orgnr as _stdnum_orgnr

    def normalize_orgnr(value: str) -> str:
        return _stdnum_orgnr.format(_stdnum_orgnr.validate(value))


from .models import (
    CompensationApplication,
    EmployerAffiliation,
    Organisation,
    OrganisationMember,
    RegistrationCase,
    RegistrationPeriod,
)


def _period_covers(on_date: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}registered_from__lte": on_date}) & (
        Q(**{f"{prefix}deregistered_on__isnull": True}) | Q(**{f"{prefix}deregistered_on__gt": on_date})
    )


def _luhn_ok(digits: str) -> bool:
    total = 0
    for pos, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if pos % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def registration_period_on(org: Organisation, on_date: datetime.date) -> RegistrationPeriod | None:
    return RegistrationPeriod.objects.filter(_period_covers(on_date), organisation=org).first()


def organisation_registered_on(org: Organisation, on_date: datetime.date) -> bool:
    """Was `org` in the register on `on_date` (history included)?"""
    return RegistrationPeriod.objects.filter(_period_covers(on_date), organisation=org).exists()


def registered_organisations(on_date: datetime.date) -> QuerySet[Organisation]:
    """The organisations in the register on `on_date`."""
    periods = RegistrationPeriod.objects.filter(_period_covers(on_date), organisation=OuterRef("pk"))
    return Organisation.objects.filter(Exists(periods)).order_by("name")


def registered_during(org: Organisation, start: datetime.date, end: datetime.date) -> bool:
    """Was `org` registered on at least one day of [start, end]?"""
    return (
        RegistrationPeriod.objects.filter(organisation=org, registered_from__lte=end)
        .filter(Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=start))
        .exists()
    )


def public_register(on_date: datetime.date) -> list[dict]:
    """The public register: each registered organisation with its periods (for the public page)."""
    orgs = list(registered_organisations(on_date).prefetch_related("registration_periods"))
    return [{"organisation": org, "periods": list(org.registration_periods.all())} for org in orgs]


def normalize_employer_org_number(value: str) -> str | None:
    """NNNNNN-NNNN, or None when `value` is not a valid organisationsnummer (Luhn)."""
    if len(value) == 11 and value.isascii() and value[6] == "-" and value[:6].isdigit() and value[7:].isdigit():
        # the usual written form: only the check digit remains to be checked (fast path for big files)
        return value if _luhn_ok(value[:6] + value[7:]) else None
    try:
        return normalize_orgnr(value)
    except ValueError:
        return None


class OrganisationRef:
    """What the lookup answers: the organisation's id, name, organisationsnummer and website.

    A plain object, not a model instance (no ORM construction on the hot path). It compares equal
    to the Organisation with the same primary key, prints as its name, and has `pk` and `id`, so
    callers use it like the model for these fields.
    """

    __slots__ = ("id", "name", "org_number", "website")

    def __init__(self, id: int, name: str, org_number: str | None, website: str):  # noqa: A002
        self.id = id
        self.name = name
        self.org_number = org_number
        self.website = website

    @property
    def pk(self) -> int:
        return self.id

    def __eq__(self, other):
        if isinstance(other, OrganisationRef | Organisation):
            return self.id == other.pk
        return NotImplemented

    def __hash__(self):
        return hash(("registry.Organisation", self.id))

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<OrganisationRef {self.id}: {self.name}>"


# The lookup as one fixed SQL statement with named parameters: no query compilation per call (it
# is on every pre-check and application), only the four columns the callers use. Index:
# registry_aff_orgnr_from_idx (or the exclusion constraint's GiST index).
LOOKUP_SQL = """
SELECT o.id, o.name, o.org_number, o.website
FROM registry_employeraffiliation a
JOIN registry_organisation o ON o.id = a.organisation_id
WHERE a.employer_org_number = %(orgnr)s
  AND a.valid_from <= %(on)s
  AND (a.valid_to IS NULL OR a.valid_to >= %(on)s)
  AND EXISTS (
    SELECT 1 FROM registry_registrationperiod p
    WHERE p.organisation_id = a.organisation_id
      AND p.registered_from <= %(on)s
      AND (p.deregistered_on IS NULL OR p.deregistered_on > %(on)s)
  )
LIMIT 1
"""


def lookup_params(normalized_org_number: str, on_date: datetime.date) -> dict:
    return {"orgnr": normalized_org_number, "on": on_date}


# The same statement, prepared once per database session (PREPARE ... AS, with $1 the number and
# $2 the date) and then executed by name: Postgres parses, analyses and plans it once per session
# instead of on every call. Django leaves psycopg's automatic preparing off (prepare_threshold
# None, which also suits a transaction-pooling PgBouncer), so the statement is prepared in SQL.
LOOKUP_STATEMENT = "registry_lookup_v1"
PREPARE_SQL = f"PREPARE {LOOKUP_STATEMENT} (varchar, date) AS " + LOOKUP_SQL.replace("%(orgnr)s", "$1").replace(
    "%(on)s", "$2"
)
EXECUTE_SQL = f"EXECUTE {LOOKUP_STATEMENT} (%s, %s)"
# psycopg connections on which the statement is known to be prepared (weak: a closed connection
# drops out by itself)
_prepared_on = weakref.WeakSet()


def _lookup_row(normalized: str, on_date: datetime.date):
    """One row (id, name, org_number, website) or None.

    On Postgres: EXECUTE of the prepared statement on the connection's own psycopg connection
    (Django's cursor wrapper is skipped; errors are still wrapped as django.db errors). The first
    call on a session checks pg_prepared_statements and prepares the statement if needed, so
    nothing fails inside a transaction. When Django records queries (DEBUG, or a test capturing
    them), when the transaction is broken, and on other databases, the plain statement goes
    through Django's cursor instead, so the query is logged as usual.
    """
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]  # one context-local look-up, not one per attribute
    if (
        _psycopg is None
        or connection.vendor != "postgresql"
        or connection.queries_logged
        or connection.needs_rollback
        or connection.connection is None
    ):
        with connection.cursor() as cursor:
            cursor.execute(LOOKUP_SQL, lookup_params(normalized, on_date))
            return cursor.fetchone()
    raw = connection.connection
    with connection.wrap_database_errors, _psycopg.ClientCursor(raw) as cursor:
        if raw not in _prepared_on:
            cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [LOOKUP_STATEMENT])
            if cursor.fetchone() is None:
                cursor.execute(PREPARE_SQL)
            _prepared_on.add(raw)
        try:
            cursor.execute(EXECUTE_SQL, [normalized, on_date])
        except _psycopg.errors.InvalidSqlStatementName:
            # the session was reset (DISCARD ALL) since: prepare again, if no transaction is open
            _prepared_on.discard(raw)
            if raw.info.transaction_status != _psycopg.pq.TransactionStatus.IDLE:
                raise
            cursor.execute(PREPARE_SQL)
            _prepared_on.add(raw)
            cursor.execute(EXECUTE_SQL, [normalized, on_date])
        return cursor.fetchone()


try:
    import psycopg as _psycopg
except ImportError:  # pragma: no cover - installs without psycopg 3
    _psycopg = None


def organisation_for_employer(*, org_number: str, on_date: datetime.date) -> OrganisationRef | None:
    """The registered organisation the employer is affiliated with on `on_date`, or None.

    None means: the employer is not affiliated with any organisation registered on that date, so
    its employees belong to the public organisation. One indexed query (the affiliation index on
    (employer_org_number, valid_from), then the organisation and its registration period), a
    prepared statement on Postgres. An invalid organisationsnummer raises ValueError.
    """
    normalized = normalize_employer_org_number(org_number)
    if normalized is None:
        normalize_orgnr(org_number)  # raises the identity module's ValueError with its reason
        raise ValueError(f"not a valid organisationsnummer: {org_number!r}")  # pragma: no cover
    row = _lookup_row(normalized, on_date)
    return OrganisationRef(*row) if row is not None else None


def employer_affiliation_query(normalized_org_number: str, on_date: datetime.date) -> QuerySet[EmployerAffiliation]:
    """The same lookup through the ORM (kept for readers and tests: it must agree with LOOKUP_SQL)."""
    periods = RegistrationPeriod.objects.filter(_period_covers(on_date), organisation=OuterRef("organisation_id"))
    return (
        EmployerAffiliation.objects.filter(employer_org_number=normalized_org_number, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .filter(Exists(periods))
        .select_related("organisation")
        .only("organisation")
        .order_by()
    )


def affiliations_for(org: Organisation) -> QuerySet[EmployerAffiliation]:
    return EmployerAffiliation.objects.filter(organisation=org).order_by("employer_org_number", "valid_from")


def memberships_of(user) -> QuerySet[OrganisationMember]:
    if not user.is_authenticated:
        return OrganisationMember.objects.none()
    return OrganisationMember.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def organisation_of_member(user, organisation_id: int | None = None) -> Organisation | None:
    """The organisation `user` acts for (the given one, or the first); None when not a member."""
    qs = memberships_of(user)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    member = qs.first()
    return member.organisation if member else None


def registration_cases_of(user) -> QuerySet[RegistrationCase]:
    return RegistrationCase.objects.filter(applicant=user).order_by("-created_at")


def registration_case_of(user, case_id: int) -> RegistrationCase | None:
    """The applicant's own case, or None (the view answers 404 for other people's cases)."""
    return RegistrationCase.objects.filter(applicant=user, pk=case_id).prefetch_related("attachments").first()


def compensation_applications_of(org: Organisation) -> QuerySet[CompensationApplication]:
    return CompensationApplication.objects.filter(organisation=org).order_by("-created_at")


def organisations_ever_registered() -> QuerySet[Organisation]:
    """Organisations with at least one registration period (for the employer's choice)."""
    periods = RegistrationPeriod.objects.filter(organisation=OuterRef("pk"))
    return Organisation.objects.filter(Exists(periods)).order_by("name")


def employer_compensation_applications(user) -> QuerySet[CompensationApplication]:
    """The individual applications that `user` filed online for an employer."""
    return (
        CompensationApplication.objects.filter(
            filed_by=user, kind=CompensationApplication.Kind.INDIVIDUAL, declared_at__isnull=False
        )
        .select_related("organisation")
        .order_by("-created_at")
    )


def employer_compensation_application(user, pk: int) -> CompensationApplication | None:
    return employer_compensation_applications(user).filter(pk=pk).first()


DECIDED_REGISTRATION_STATES = frozenset(
    {RegistrationCase.State.REGISTERED, RegistrationCase.State.REFUSED, RegistrationCase.State.DEREGISTERED}
)


def registration_decision_for(user, case_id: int, *, officer: bool = False) -> RegistrationCase | None:
    """A decided registration case whose decision letter `user` may read: the applicant, a user of
    the registered organisation, or a case officer (`officer`, checked by the caller). None
    otherwise (the view answers 404)."""
    case = (
        RegistrationCase.objects.select_related("organisation", "registration_period")
        .filter(pk=case_id, state__in=DECIDED_REGISTRATION_STATES)
        .first()
    )
    if case is None or not user.is_authenticated:
        return None
    if officer or case.applicant_id == user.pk:
        return case
    members = OrganisationMember.objects.filter(user=user, organisation_id=case.organisation_id)
    if case.organisation_id and members.exists():
        return case
    return None
