"""The public organisation's own monthly report, in the same v1 rows as every transition
organisation, built from its applications, decisions, advisor assignments and yttrande
assessments, and imported through the same service (source `agency`).

Read-only use of the other apps' models through the app registry (statistics depends on them,
never the other way round). Cases that v1 cannot express are left out and counted:
an applicant without a personnummer, a situation outside v1's triggers (egen uppsägning), and a
decided yttrande without a recorded assessment."""

from __future__ import annotations

import datetime
import logging
import tempfile
from pathlib import Path

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from registry.models import Organisation

from . import services
from .models import Submission
from .synthetic import write_csv
from .validation import last_day

logger = logging.getLogger(__name__)

AGENCY_NAME = "Den offentliga omställningsorganisationen (Kammarkollegiet)"
AGENCY_ORG_NUMBER = "202100-0829"  # Kammarkollegiet
TRIGGERS = {
    "uppsagd_arbetsbrist": "arbetsbrist",
    "uppsagd_sjukdom": "sjukdom",
    "tidsbegransad": "tidsbegransad",
    "anstalld": "anstalld",
    "egenforetagare": "egenforetagare",
}


def agency_organisation() -> Organisation:
    org = Organisation.objects.filter(org_number=AGENCY_ORG_NUMBER).first()
    if org is None:
        org, _ = Organisation.objects.get_or_create(name=AGENCY_NAME, defaults={"org_number": AGENCY_ORG_NUMBER})
    return org


def _local(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(value).date() if value else None


def agency_rows(period: datetime.date) -> tuple[list[dict], dict]:
    """The v1 rows for the month and the counts of cases left out."""
    Application = apps.get_model("applications", "Application")
    start, end = period, last_day(period)
    tz_end = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time(), timezone.get_current_timezone()
    )
    tz_start = datetime.datetime.combine(start, datetime.time(), timezone.get_current_timezone())
    qs = (
        Application.objects.filter(submitted_at__lt=tz_end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=tz_start))
        .exclude(status="refused", decided_at__lt=tz_start)
        .select_related("applicant")
        .order_by("pk")
    )
    skipped = {"no_personnummer": 0, "trigger": 0, "yttrande_assessment": 0}
    rows, seen = [], set()
    for app in qs.iterator(chunk_size=2000):
        pnr = (getattr(app.applicant, "personnummer", "") or "").replace("-", "")
        if len(pnr) != 12:
            skipped["no_personnummer"] += 1
            continue
        trigger = TRIGGERS.get(app.situation)
        if trigger is None:
            skipped["trigger"] += 1
            continue
        applied = _local(app.submitted_at)
        decided = _local(app.decided_at)
        if decided is not None and decided > end:
            decided = None
        decision = "pagaende"
        if decided is not None:
            decision = "beviljad" if app.granted_at else "avslag"
        decided = max(decided, applied) if decided else None
        contact, outcome, outcome_date = None, "pagaende", None
        assignment = getattr(app, "advisor_assignment", None) if decision == "beviljad" else None
        if assignment is not None:
            contact = _local(assignment.first_contact_at)
            if contact is not None and (contact > end or contact < decided):
                contact = None if contact > end else decided
            if assignment.closed_on and assignment.closed_on <= end and assignment.outcome:
                outcome, outcome_date = assignment.outcome, max(assignment.closed_on, decided)
        strengthens = ""
        if app.service == "yttrande" and decision != "pagaende":
            case = getattr(app, "yttrande_case", None)
            assessment = getattr(case, "assessment", None) if case is not None else None
            if assessment is None:
                skipped["yttrande_assessment"] += 1
                continue
            strengthens = "ja" if assessment.strengthens else "nej"
        key = (pnr, app.service, applied)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "personnummer": pnr,
                "period": f"{period:%Y-%m}",
                "service": app.service,
                "trigger": trigger,
                "application_date": applied.isoformat(),
                "decision": decision,
                "decision_date": decided.isoformat() if decided else "",
                "first_contact_date": contact.isoformat() if contact else "",
                "outcome": outcome,
                "outcome_date": outcome_date.isoformat() if outcome_date else "",
                "yttrande_strengthens": strengthens,
            }
        )
    return rows, skipped


def agency_report(period: datetime.date) -> Submission | None:
    """Build and import the month's report (idempotent: an accepted month is left as it is)."""
    if not apps.is_installed("applications"):
        return None
    org = agency_organisation()
    existing = Submission.objects.filter(organisation=org, period=period, status="accepted").first()
    if existing is not None:
        return existing
    rows, skipped = agency_rows(period)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / f"agency-{period:%Y-%m}.csv", rows)
        sub = services.submission_create(
            organisation=org, period=period, file=path, source=Submission.Source.AGENCY, enqueue=False
        )
    result = services.submission_import(sub.pk).submission
    logger.info("agency statistics %s: %s (%s rows, left out %s)", period, result.status, result.row_count, skipped)
    return result
