"""Contacts and meetings, the kartläggning, the versioned plan, the applicant's confirmation and
own activities, and closing with an outcome within D14's limits."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from advisors import services
from advisors.models import PlanVersion

from .factories import ApplicationFactory
from .sweep_helpers import GRANT, assigned


@pytest.fixture
def case(advisor):
    return assigned()


def test_recording_a_contact_through_the_page_sets_the_first_contact(client, case, advisor):
    client.force_login(advisor.user)
    with time_machine.travel(GRANT + timedelta(days=2), tick=False):
        response = client.post(
            reverse("advisors:contact_new", args=[case.pk]),
            {
                "kind": "meeting",
                "occurred_at": "2026-03-03T14:00",
                "mode": "physical",
                "place": "advisor_premises",
                "address": "Storgatan 1",
                "duration_minutes": "60",
                "notes": "Första mötet",
            },
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.first_contact_at is not None
    assert case.contacts.get().place == "advisor_premises"


def test_physical_meeting_needs_a_place(client, case, advisor):
    client.force_login(advisor.user)
    with time_machine.travel(GRANT + timedelta(days=2), tick=False):
        response = client.post(
            reverse("advisors:contact_new", args=[case.pk]),
            {"kind": "meeting", "occurred_at": "2026-03-03T14:00", "mode": "physical"},
        )
    assert response.status_code == 200
    assert "Välj var det fysiska mötet äger rum" in response.content.decode()
    case.refresh_from_db()
    assert case.first_contact_at is None and not case.contacts.exists()


def test_planned_meeting_does_not_count_as_first_contact(case, advisor):
    with time_machine.travel(GRANT + timedelta(days=1), tick=False):
        services.contact_record(
            assignment=case, kind="meeting", occurred_at=GRANT + timedelta(days=3), mode="digital", by=advisor.user
        )
        with pytest.raises(ValidationError):
            services.contact_record(
                assignment=case, kind="contact", occurred_at=GRANT + timedelta(days=3), mode="digital", by=advisor.user
            )
    case.refresh_from_db()
    assert case.first_contact_at is None


def plan(case, by, title="Söka jobb", who="applicant"):
    return services.plan_save(
        assignment=case,
        goal="nytt_arbete",
        goal_description="Jobb inom logistik",
        activities=[{"title": title, "due_date": date(2026, 4, 1), "who": who, "status": "planned"}],
        by=by,
    )


def test_every_save_is_a_new_version_and_old_ones_stay(case, advisor):
    v1 = plan(case, advisor.user)
    v2 = plan(case, advisor.user, title="Skriva CV")
    assert (v1.number, v2.number) == (1, 2)
    v1.refresh_from_db()
    assert v1.activities[0]["title"] == "Söka jobb"
    assert v2.activities[0]["title"] == "Skriva CV"


def test_plan_page_saves_a_version(client, case, advisor):
    client.force_login(advisor.user)
    data = {
        "goal": "studier",
        "goal_description": "",
        "change_note": "",
        "activities-TOTAL_FORMS": "2",
        "activities-INITIAL_FORMS": "0",
        "activities-MIN_NUM_FORMS": "0",
        "activities-MAX_NUM_FORMS": "1000",
        "activities-0-title": "Söka utbildning",
        "activities-0-due_date": "2026-05-01",
        "activities-0-who": "both",
        "activities-0-status": "planned",
        "activities-1-title": "",
        "activities-1-due_date": "",
        "activities-1-who": "applicant",
        "activities-1-status": "planned",
    }
    assert client.post(reverse("advisors:plan_edit", args=[case.pk]), data).status_code == 302
    version = PlanVersion.objects.get()
    assert version.goal == "studier" and len(version.activities) == 1
    assert client.get(reverse("advisors:plan_version", args=[case.pk, 1])).status_code == 200


def test_applicant_confirms_and_marks_own_activity_done(client, case, advisor):
    v1 = plan(case, advisor.user)
    applicant = case.application.applicant
    client.force_login(applicant)
    url = reverse("advisors:applicant_plan", args=[case.application_id])
    client.post(url, {"confirm": "1", "version": "1"})
    v1.refresh_from_db()
    assert v1.confirmed_at is not None
    client.post(url, {"done": v1.activities[0]["id"]})
    v2 = PlanVersion.objects.get(number=2)
    assert v2.activities[0]["status"] == "done"
    assert v2.created_by == applicant
    v1.refresh_from_db()
    assert v1.activities[0]["status"] == "planned"


def test_applicant_cannot_mark_the_advisors_activity(case, advisor):
    v1 = plan(case, advisor.user, who="advisor")
    with pytest.raises(ValidationError):
        services.plan_activity_mark_done(
            assignment=case, activity_id=v1.activities[0]["id"], by=case.application.applicant
        )


def test_confirming_a_stale_version_is_refused(case, advisor):
    plan(case, advisor.user)
    plan(case, advisor.user, title="Ny")
    with pytest.raises(ValidationError):
        services.plan_confirm(assignment=case, version_number=1, by=case.application.applicant)


def test_close_with_outcome(case, advisor):
    with time_machine.travel(GRANT + timedelta(days=60), tick=False):
        services.assignment_close(assignment=case, outcome="nytt_arbete", closed_on=date(2026, 4, 20), by=advisor.user)
    case.refresh_from_db()
    assert (case.outcome, case.closed_on) == ("nytt_arbete", date(2026, 4, 20))


def test_vagledning_cannot_be_closed_after_three_months(advisor):
    a = services.assignment_create_for_application(
        application_id=ApplicationFactory(granted_at=GRANT, service="vagledning").pk
    )
    with time_machine.travel(GRANT + timedelta(days=120), tick=False), pytest.raises(ValidationError) as exc:
        services.assignment_close(assignment=a, outcome="studier", closed_on=date(2026, 6, 20), by=advisor.user)
    assert "closed_on" in exc.value.message_dict


def test_end_warning_14_days_before(advisor):
    from django.core import mail

    a = services.assignment_create_for_application(
        application_id=ApplicationFactory(granted_at=GRANT, service="vagledning").pk
    )
    services.contact_record(
        assignment=a, kind="contact", occurred_at=GRANT + timedelta(hours=2), mode="phone", by=advisor.user
    )
    mail.outbox.clear()
    with time_machine.travel(GRANT + timedelta(days=70), tick=False):  # 2026-05-11: 22 days left
        assert services.sweep_contact_deadlines().end_warnings == 0
    with time_machine.travel(GRANT + timedelta(days=78), tick=False):  # 2026-05-19: 14 days left
        assert services.sweep_contact_deadlines().end_warnings == 1
        assert services.sweep_contact_deadlines().end_warnings == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([advisor.user.email, a.application.case_officer.email])
