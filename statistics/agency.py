"""The public organisation's own monthly report, in the same v1 rows as every transition
organisation, built from its applications, decisions, advisor assignments and yttrande
assessments, and imported through the same service (source `agency`).

Reads the other apps only through their selectors (`applications.selectors.cases_open_during`,
`advisors.selectors.contacts_and_outcomes`), which return plain rows: statistics depends on them,
never the other way round (docs/architecture.md). Cases that v1 cannot express are left out and counted:
an applicant without a personnummer, a situation outside v1's triggers (egen uppsägning), and a
decided yttrande without a recorded assessment."""

from __future__ import annotations

import datetime
import logging
import tempfile
from pathlib import Path

from django.apps import apps
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
    from advisors import selectors as advisor_selectors
    from applications import selectors as application_selectors

    start, end = period, last_day(period)
    tz_end = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time(), timezone.get_current_timezone()
    )
    tz_start = datetime.datetime.combine(start, datetime.time(), timezone.get_current_timezone())
    skipped = {"no_personnummer": 0, "trigger": 0, "yttrande_assessment": 0}
    rows, seen = [], set()
    for batch in _batches(application_selectors.cases_open_during(tz_start, tz_end), 2000):
        granted_ids = [case["id"] for case in batch if case["granted_at"] and case["decided_at"]]
        assignments = advisor_selectors.contacts_and_outcomes(granted_ids) if granted_ids else {}
        for case in batch:
            row = _agency_row(case, assignments.get(case["id"]), period, end, skipped)
            if row is None:
                continue
            key = (row["personnummer"], row["service"], row["application_date"])
            if key in seen:
                continue
            seen.add(key)
            rows.append(row)
    return rows, skipped


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _agency_row(case: dict, assignment: dict | None, period: datetime.date, end: datetime.date, skipped: dict):
    """One case (a plain row from applications.selectors) → a v1 row, or None (counted in skipped)."""
    pnr = (case["personnummer"] or "").replace("-", "")
    if len(pnr) != 12:
        skipped["no_personnummer"] += 1
        return None
    trigger = TRIGGERS.get(case["situation"])
    if trigger is None:
        skipped["trigger"] += 1
        return None
    applied = _local(case["submitted_at"])
    decided = _local(case["decided_at"])
    if decided is not None and decided > end:
        decided = None
    decision = "pagaende"
    if decided is not None:
        decision = "beviljad" if case["granted_at"] else "avslag"
    decided = max(decided, applied) if decided else None
    contact, outcome, outcome_date = None, "pagaende", None
    if decision == "beviljad" and assignment is not None:
        contact = _local(assignment["first_contact_at"])
        if contact is not None and (contact > end or contact < decided):
            contact = None if contact > end else decided
        closed_on = assignment["closed_on"]
        if closed_on and closed_on <= end and assignment["outcome"]:
            outcome, outcome_date = assignment["outcome"], max(closed_on, decided)
    strengthens = ""
    if case["service"] == "yttrande" and decision != "pagaende":
        if not case["has_assessment"]:
            skipped["yttrande_assessment"] += 1
            return None
        strengthens = "ja" if case["strengthens"] else "nej"
    return {
        "personnummer": pnr,
        "period": f"{period:%Y-%m}",
        "service": case["service"],
        "trigger": trigger,
        "application_date": applied.isoformat(),
        "decision": decision,
        "decision_date": decided.isoformat() if decided else "",
        "first_contact_date": contact.isoformat() if contact else "",
        "outcome": outcome,
        "outcome_date": outcome_date.isoformat() if outcome_date else "",
        "yttrande_strengthens": strengthens,
    }


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
