"""The public organisation's own monthly report: v1 rows built from its applications and advisor
outcomes, imported through the same service."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from advisors.models import Assignment
from statistics.agency import AGENCY_ORG_NUMBER, agency_report
from statistics.models import StatRow
from statistics.synthetic import people
from statistics.tasks import agency_monthly_report
from tests.advisors.factories import AdvisorFactory, ApplicationFactory
from tests.factories import UserFactory

PERIOD = datetime.date(2026, 3, 1)


def at(day: str):
    return timezone.make_aware(datetime.datetime.fromisoformat(day + "T10:00"))


def applicant(pnr):
    return UserFactory(personnummer=pnr)


@pytest.mark.django_db
def test_agency_rows_from_applications_and_outcomes(settings):
    pnrs = people(5, seed=11)
    granted = ApplicationFactory(
        applicant=applicant(pnrs[0]),
        situation="uppsagd_arbetsbrist",
        submitted_at=at("2026-02-10"),
        granted_at=at("2026-02-12"),
        decided_at=at("2026-02-12"),
    )
    advisor = AdvisorFactory()
    Assignment.objects.create(
        application=granted,
        supplier=advisor.supplier,
        advisor=advisor,
        service="radgivning",
        granted_at=at("2026-02-12"),
        contact_deadline=at("2026-02-19"),
        first_contact_at=at("2026-02-14"),
        support_ends_on=datetime.date(2027, 2, 12),
        closed_on=datetime.date(2026, 3, 20),
        outcome="nytt_arbete",
    )
    ApplicationFactory(  # refused in March: reported
        applicant=applicant(pnrs[1]),
        situation="anstalld",
        service="vagledning",
        status="refused",
        granted_at=None,
        submitted_at=at("2026-03-01"),
        decided_at=at("2026-03-05"),
    )
    ApplicationFactory(  # refused before March: not open in March
        applicant=applicant(pnrs[2]),
        situation="anstalld",
        status="refused",
        granted_at=None,
        submitted_at=at("2026-01-01"),
        decided_at=at("2026-01-05"),
    )
    ApplicationFactory(  # submitted in March, decided in April: pending in March's report
        applicant=applicant(pnrs[3]),
        situation="tidsbegransad",
        status="granted",
        submitted_at=at("2026-03-25"),
        granted_at=at("2026-04-02"),
        decided_at=at("2026-04-02"),
    )
    ApplicationFactory(applicant=applicant(pnrs[4]), situation="egen_uppsagning", submitted_at=at("2026-03-02"))

    sub = agency_report(PERIOD)
    assert sub.status == "accepted", sub.errors
    assert sub.organisation.org_number == AGENCY_ORG_NUMBER and sub.source == "agency"
    rows = {(r.service, r.decision, r.outcome) for r in StatRow.objects.filter(submission=sub)}
    assert rows == {
        ("radgivning", "beviljad", "nytt_arbete"),
        ("vagledning", "avslag", "pagaende"),
        ("radgivning", "pagaende", "pagaende"),
    }
    contact = StatRow.objects.get(submission=sub, decision="beviljad")
    assert (contact.first_contact_date, contact.outcome_date) == (
        datetime.date(2026, 2, 14),
        datetime.date(2026, 3, 20),
    )
    assert agency_report(PERIOD) == sub  # idempotent


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 4, 1, 3, tzinfo=datetime.UTC))
def test_monthly_beat_task_reports_the_previous_month(settings):
    assert "statistics.tasks.agency_monthly_report" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert agency_monthly_report() == "accepted"


@pytest.mark.django_db
def test_selectors_give_plain_rows():
    """statistics reads applications and advisors only through these selectors (plain rows)."""
    from advisors.selectors import contacts_and_outcomes
    from applications.selectors import cases_open_during

    pnr = people(1, seed=17)[0]
    app = ApplicationFactory(
        applicant=applicant(pnr),
        situation="anstalld",
        submitted_at=at("2026-03-03"),
        granted_at=at("2026-03-05"),
        decided_at=at("2026-03-05"),
    )
    ApplicationFactory(applicant=applicant(people(2, seed=18)[1]), submitted_at=at("2026-04-03"))  # after March
    advisor = AdvisorFactory()
    Assignment.objects.create(
        application=app,
        supplier=advisor.supplier,
        advisor=advisor,
        service="radgivning",
        granted_at=at("2026-03-05"),
        contact_deadline=at("2026-03-12"),
        first_contact_at=at("2026-03-06"),
        support_ends_on=datetime.date(2027, 3, 5),
    )
    cases = list(cases_open_during(at("2026-03-01"), at("2026-04-01")))
    assert [c["id"] for c in cases] == [app.pk]
    assert cases[0]["personnummer"] == pnr and cases[0]["has_assessment"] is False
    assert all(type(c) is dict for c in cases)
    assert contacts_and_outcomes([app.pk, 0]) == {
        app.pk: {"first_contact_at": at("2026-03-06"), "closed_on": None, "outcome": ""}
    }


def test_statistics_does_not_read_other_apps_models():
    """docs/architecture.md: statistics uses registry, and applications/advisors through selectors only."""
    from pathlib import Path

    import statistics.agency

    root = Path(statistics.agency.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text()
        for forbidden in ("applications.models", "advisors.models", "get_model(", "yttrande.models"):
            assert forbidden not in source, (path, forbidden)
