"""Granting leads to an assignment: the deadline is the grant time + 7 days (D12, a setting),
the applicant and the advisor get an e-mail, and a second call changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from advisors import services, tasks
from advisors.models import Assignment, AssignmentChange, Notification

from .factories import AdvisorFactory, ApplicationFactory, SupplierFactory

GRANT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def granted(advisor):
    return ApplicationFactory(granted_at=GRANT)


@time_machine.travel(GRANT + timedelta(minutes=1), tick=False)
def test_grant_assigns_with_the_contact_deadline(granted, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assignment_create_for_application(application_id=granted.pk)
    assert assignment.advisor == advisor
    assert assignment.supplier == advisor.supplier
    assert assignment.contact_deadline == GRANT + timedelta(days=7)
    assert assignment.support_ends_on.isoformat() == "2027-03-02"
    assert AssignmentChange.objects.get(assignment=assignment).from_advisor is None
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([granted.applicant.email, advisor.user.email])
    to_applicant = next(m for m in mail.outbox if m.to == [granted.applicant.email])
    assert "Din rådgivare" in to_applicant.subject
    assert granted.reference in to_applicant.body
    assert granted.applicant.personnummer is None or granted.applicant.personnummer not in to_applicant.body


@time_machine.travel(GRANT, tick=False)
def test_deadline_days_is_a_setting(granted, settings):
    settings.ADVISORS_CONTACT_DEADLINE_DAYS = 5
    assignment = services.assignment_create_for_application(application_id=granted.pk)
    assert assignment.contact_deadline == GRANT + timedelta(days=5)


def test_vagledning_ends_after_three_months(advisor):
    application = ApplicationFactory(granted_at=GRANT, service="vagledning")
    assignment = services.assignment_create_for_application(application_id=application.pk)
    assert assignment.support_ends_on.isoformat() == "2026-06-02"


def test_assignment_is_idempotent(granted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.assignment_create_for_application(application_id=granted.pk)
        second = tasks.assign_advisor(granted.pk)
    assert second == first.pk
    assert Assignment.objects.count() == 1
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_task_has_the_name_the_grant_uses():
    assert tasks.assign_advisor.name == "advisors.tasks.assign_advisor"


def test_not_granted_is_not_assigned(advisor):
    application = ApplicationFactory(status="submitted", granted_at=None)
    assert services.assignment_create_for_application(application_id=application.pk) is None
    assert not Assignment.objects.exists()


def test_no_supplier_qualifies_then_a_later_sweep_assigns(db):
    application = ApplicationFactory(granted_at=GRANT, municipality="Kiruna")
    assert services.assignment_create_for_application(application_id=application.pk) is None
    result = services.sweep_contact_deadlines()
    assert result.assigned == 0
    AdvisorFactory(supplier=SupplierFactory(municipalities=["Kiruna"]))
    result = services.sweep_contact_deadlines()
    assert result.assigned == 1
    assert Assignment.objects.get().application == application


def test_capacity_moves_to_the_next_supplier(coordinator):
    first = SupplierFactory(rank=1, capacity=1, municipalities=["Stockholm"])
    second = SupplierFactory(rank=2, capacity=5, municipalities=["Stockholm"])
    a1 = AdvisorFactory(supplier=first)
    a2 = AdvisorFactory(supplier=second)
    one = services.assignment_create_for_application(application_id=ApplicationFactory().pk)
    two = services.assignment_create_for_application(application_id=ApplicationFactory().pk)
    assert (one.advisor, two.advisor) == (a1, a2)


def test_the_advisor_with_fewest_open_cases_gets_the_case(supplier):
    busy = AdvisorFactory(supplier=supplier)
    free = AdvisorFactory(supplier=supplier)
    services.assignment_create_for_application(application_id=ApplicationFactory().pk)
    services.assignment_create_for_application(application_id=ApplicationFactory().pk)
    counts = sorted(Assignment.objects.filter(advisor__in=[busy, free]).values_list("advisor_id", flat=True))
    assert counts == sorted([busy.pk, free.pk])
