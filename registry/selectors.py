"""Reads of the registry. Other apps use these, never the models' managers directly.

`organisation_for_employer(org_number=..., on_date=...)` is the "Hitta omställningsorganisation"
lookup (R-1.25): the registered organisation whose employer list holds the employer on that
date, or None, which means the employee belongs to the public organisation (OOO).
"""

from __future__ import annotations

import datetime

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


def organisation_for_employer(*, org_number: str, on_date: datetime.date) -> Organisation | None:
    """The registered organisation the employer is affiliated with on `on_date`, or None.

    None means: the employer is not affiliated with any organisation registered on that date, so
    its employees belong to the public organisation. One indexed query (the affiliation index on
    (employer_org_number, valid_from), then the organisation and its registration period). An
    invalid organisationsnummer raises ValueError.
    """
    normalized = normalize_orgnr(org_number)
    found = list(Organisation.objects.raw(LOOKUP_SQL, lookup_params(normalized, on_date)))
    return found[0] if found else None


# The lookup as one fixed SQL statement: no query compilation per call (it is on every pre-check
# and application). Index: registry_aff_orgnr_from_idx (or the exclusion constraint's GiST index).
LOOKUP_SQL = """
SELECT o.*
FROM registry_employeraffiliation a
JOIN registry_organisation o ON o.id = a.organisation_id
WHERE a.employer_org_number = %s
  AND a.valid_from <= %s
  AND (a.valid_to IS NULL OR a.valid_to >= %s)
  AND EXISTS (
    SELECT 1 FROM registry_registrationperiod p
    WHERE p.organisation_id = a.organisation_id
      AND p.registered_from <= %s
      AND (p.deregistered_on IS NULL OR p.deregistered_on > %s)
  )
LIMIT 1
"""


def lookup_params(normalized_org_number: str, on_date: datetime.date) -> list:
    return [normalized_org_number, on_date, on_date, on_date, on_date]


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
