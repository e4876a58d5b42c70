"""A case officer reassigns a case with a reason; the deadline does not move; both the applicant
and the new advisor are told; only case officers may do it."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from advisors import services
from advisors.models import AssignmentChange
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import AdvisorFactory
from .sweep_helpers import GRANT, assigned


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.CASE_OFFICER)


def test_reassign_keeps_the_deadline_and_records_the_reason(advisor, officer, django_capture_on_commit_callbacks):
    a = assigned()
    deadline = a.contact_deadline
    other = AdvisorFactory()
    mail.outbox.clear()
    with time_machine.travel(GRANT + timedelta(days=3), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.assignment_reassign(assignment=a, advisor=other, reason="Sjukskriven rådgivare", by=officer)
    a.refresh_from_db()
    assert a.advisor == other
    assert a.supplier == other.supplier
    assert a.contact_deadline == deadline
    change = AssignmentChange.objects.filter(assignment=a).order_by("id").last()
    assert (change.from_advisor, change.to_advisor, change.reason, change.changed_by) == (
        advisor,
        other,
        "Sjukskriven rådgivare",
        officer,
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.application.applicant.email, other.user.email])


def test_two_reassignments_both_notify(advisor, officer, django_capture_on_commit_callbacks):
    a = assigned()
    second, third = AdvisorFactory(), AdvisorFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_reassign(assignment=a, advisor=second, reason="1", by=officer)
        services.assignment_reassign(assignment=a, advisor=third, reason="2", by=officer)
    assert len(mail.outbox) == 4


def test_reason_is_required(advisor, officer):
    a = assigned()
    with pytest.raises(ValidationError) as exc:
        services.assignment_reassign(assignment=a, advisor=AdvisorFactory(), reason="  ", by=officer)
    assert "reason" in exc.value.message_dict


def test_only_case_officers_reassign(advisor):
    a = assigned()
    with pytest.raises(PermissionDenied):
        services.assignment_reassign(assignment=a, advisor=AdvisorFactory(), reason="x", by=advisor.user)


def test_reminder_goes_to_the_new_advisor(advisor, officer):
    a = assigned()
    other = AdvisorFactory()
    services.assignment_reassign(assignment=a, advisor=other, reason="byte", by=officer)
    mail.outbox.clear()
    with time_machine.travel(GRANT + timedelta(days=5, hours=1), tick=False):
        services.sweep_contact_deadlines()
    reminder = [m for m in mail.outbox if a.application.reference in m.body and m.to == [other.user.email]]
    assert len(reminder) == 1
    assert not [m for m in mail.outbox if m.to == [advisor.user.email]]
