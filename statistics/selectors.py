"""Reads for the statistics app."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from registry.models import Organisation, OrganisationMember

from .models import ApiToken, Submission
from .validation import last_day


def organisation_is_registered(organisation: Organisation, period: datetime.date | None = None) -> bool:
    """Whether the organisation was a registered transition organisation during the month that
    starts on `period` (today's month when None). The one place that decides it, through the
    registry's registration history (registry.selectors)."""
    from registry import selectors as registry_selectors

    if organisation is None or organisation.pk is None:
        return False
    start = (period or timezone.localdate()).replace(day=1)
    return registry_selectors.registered_during(organisation, start, last_day(start))


def registered_organisations(period: datetime.date) -> list[Organisation]:
    """Organisations registered on at least one day of the month starting on `period`."""
    from registry.models import RegistrationPeriod

    end = last_day(period)
    periods = RegistrationPeriod.objects.filter(organisation=OuterRef("pk"), registered_from__lte=end).filter(
        Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=period)
    )
    return list(Organisation.objects.filter(Exists(periods)).order_by("name"))


def organisation_by_number(orgnr: str) -> Organisation | None:
    """ORGNR as NNNNNN-NNNN or NNNNNNNNNN → the Organisation, or None."""
    digits = (orgnr or "").strip().replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        return None
    return Organisation.objects.filter(org_number=f"{digits[:6]}-{digits[6:]}").first()


def organisations_of(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(members__user=user).order_by("name")


def membership(user, organisation_id: int) -> OrganisationMember | None:
    if not user.is_authenticated:
        return None
    return (
        OrganisationMember.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .first()
    )


def submissions_for(organisation: Organisation) -> QuerySet[Submission]:
    return Submission.objects.filter(organisation=organisation).select_related("uploaded_by").defer("errors")


def accepted_submission(organisation: Organisation, period: datetime.date) -> Submission | None:
    return Submission.objects.filter(
        organisation=organisation, period=period, status=Submission.Status.ACCEPTED
    ).first()


def progress_key(submission_id: int) -> str:
    return f"statistics:progress:{submission_id}"


def submission_progress(submission: Submission) -> int:
    """0–100. While processing, the live figure comes from the cache (the import's own transaction
    is not visible to others until it commits)."""
    if submission.status != Submission.Status.PROCESSING:
        return 100
    return int(cache.get(progress_key(submission.pk), submission.progress))


def active_tokens(organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organisation=organisation).select_related("created_by")


# --- the analysts' dashboard ------------------------------------------------------------------
SUPPRESS_UNDER = 5
POSITIVE_OUTCOMES = ("nytt_arbete", "studier", "eget_foretag")
AGE_BANDS = {
    "-29": (0, 29),
    "30-39": (30, 39),
    "40-49": (40, 49),
    "50-59": (50, 59),
    "60-": (60, 200),
}
OUTCOME_HORIZONS = {3: 91, 6: 182, 12: 365}


def accepted_rows(
    *,
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    service: str = "",
    organisation_id: int | None = None,
    sex: str = "",
    age_band: str = "",
):
    """Rows of accepted submissions, filtered as on the dashboard and the export."""
    from django.db.models import F
    from django.db.models.functions import ExtractYear

    from .models import StatRow

    qs = StatRow.objects.filter(submission__status=Submission.Status.ACCEPTED)
    if period_from:
        qs = qs.filter(submission__period__gte=period_from)
    if period_to:
        qs = qs.filter(submission__period__lte=period_to)
    if service:
        qs = qs.filter(service=service)
    if organisation_id:
        qs = qs.filter(submission__organisation_id=organisation_id)
    if sex:
        qs = qs.filter(legal_sex=sex)
    if age_band in AGE_BANDS:
        low, high = AGE_BANDS[age_band]
        qs = qs.annotate(age=ExtractYear("submission__period") - F("birth_year")).filter(age__gte=low, age__lte=high)
    return qs


def _metrics():
    from datetime import timedelta

    from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F

    start = F("submission__period")
    decided_in_month = Q(decision_date__gte=start, decision__in=["beviljad", "avslag"])
    contacted = Q(first_contact_date__gte=start, decision_date__isnull=False)
    metrics = {
        "persons": Count("pseudonym", distinct=True),
        "cases": Count("id"),
        "applications": Count("id", filter=Q(application_date__gte=start)),
        "decided": Count("id", filter=decided_in_month),
        "granted": Count("id", filter=decided_in_month & Q(decision="beviljad")),
        "contacted": Count("id", filter=contacted),
        "contacted_7": Count(
            "id", filter=contacted & Q(first_contact_date__lte=F("decision_date") + timedelta(days=7))
        ),
        "contact_days": Avg(
            ExpressionWrapper(F("first_contact_date") - F("decision_date"), output_field=DurationField()),
            filter=contacted,
        ),
    }
    for months, days in OUTCOME_HORIZONS.items():
        cohort = Q(decision="beviljad", decision_date__lte=start + timedelta(days=30 - days))
        metrics[f"cohort_{months}"] = Count("id", filter=cohort)
        metrics[f"positive_{months}"] = Count(
            "id",
            filter=cohort
            & Q(outcome__in=POSITIVE_OUTCOMES, outcome_date__lte=F("decision_date") + timedelta(days=days)),
        )
    return metrics


def _cell_count(value: int):
    return None if 0 < value < SUPPRESS_UNDER else value


def _cell_rate(numerator: int, denominator: int):
    if denominator < SUPPRESS_UNDER:
        return None
    return round(100 * numerator / denominator, 1)


def _present(row: dict) -> dict:
    """Suppress cells under 5 persons: a whole row under 5 persons, counts 1–4, rates on < 5."""
    suppressed = row["persons"] < SUPPRESS_UNDER
    out = {k: row[k] for k in ("organisation_id", "organisation", "period") if k in row}
    out["suppressed"] = suppressed
    if suppressed:
        return out
    out["persons"] = row["persons"]
    out["applications"] = _cell_count(row["applications"])
    out["grant_rate"] = _cell_rate(row["granted"], row["decided"])
    out["decided"] = _cell_count(row["decided"])
    out["contact_7_share"] = _cell_rate(row["contacted_7"], row["contacted"])
    days = row.get("contact_days")
    out["contact_days"] = (
        round(days.total_seconds() / 86400, 1) if days is not None and row["contacted"] >= SUPPRESS_UNDER else None
    )
    for months in OUTCOME_HORIZONS:
        out[f"outcome_{months}"] = _cell_rate(row[f"positive_{months}"], row[f"cohort_{months}"])
    return out


def dashboard_table(**filters) -> list[dict]:
    """Per organisation and month, newest month first."""
    qs = (
        accepted_rows(**filters)
        .values("submission__organisation_id", "submission__organisation__name", "submission__period")
        .annotate(**_metrics())
        .order_by("-submission__period", "submission__organisation__name")
    )
    result = []
    for row in qs:
        row = dict(row)
        row["organisation_id"] = row.pop("submission__organisation_id")
        row["organisation"] = row.pop("submission__organisation__name")
        row["period"] = row.pop("submission__period")
        result.append(_present(row))
    return result


def dashboard_months(**filters) -> list[dict]:
    """All organisations together, per month, oldest first (for the charts)."""
    qs = accepted_rows(**filters).values("submission__period").annotate(**_metrics()).order_by("submission__period")
    result = []
    for row in qs:
        row = dict(row)
        row["period"] = row.pop("submission__period")
        result.append(_present(row))
    return result


def missing_reports(period: datetime.date) -> list[dict]:
    """Registered organisations without an accepted submission for the month, with the last reminder."""
    from .models import Reminder

    reported = set(
        Submission.objects.filter(period=period, status=Submission.Status.ACCEPTED).values_list(
            "organisation_id", flat=True
        )
    )
    result = []
    for org in registered_organisations(period):
        if org.pk in reported:
            continue
        last = Reminder.objects.filter(organisation=org, period=period).order_by("-sent_at").first()
        rejected = Submission.objects.filter(organisation=org, period=period).exclude(status="accepted").count()
        result.append({"organisation": org, "last_reminder": last, "other_submissions": rejected})
    return result
