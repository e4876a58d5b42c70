"""A real Celery worker on the real Redis (not eager): a grant committed by the applications app
starts `advisors.tasks.assign_advisor` by name, the worker assigns the case; then the worker runs
the beat job's sweep and sends the reminder."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from advisors.models import Assignment, Notification
from advisors.tasks import sweep_contact_deadlines
from applications import services as application_services
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import AdvisorFactory, ApplicationFactory, SupplierFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_until(predicate, wait_for, text, timeout=30):
    wait_for(text, timeout=timeout)
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_grant_assigns_and_the_worker_reminds(celery_worker_process):
    advisor = AdvisorFactory(supplier=SupplierFactory(municipalities=["Stockholm"]))
    officer = UserFactory(role=Role.CASE_OFFICER)
    application = ApplicationFactory(status="submitted", granted_at=None, case_officer=None)

    with transaction.atomic():
        application_services.application_grant(application_id=application.pk, by=officer)
    assert not Assignment.objects.exists()  # nothing ran in this process

    assert wait_until(
        lambda: Assignment.objects.filter(application=application).exists(),
        celery_worker_process,
        "advisors.tasks.assign_advisor[",
    )
    assignment = Assignment.objects.get(application=application)
    assert assignment.advisor == advisor
    assert abs(assignment.contact_deadline - (assignment.granted_at + timedelta(days=7))) < timedelta(seconds=1)

    # Five days later: two days are left (the worker's clock is real, so the deadline moves).
    Assignment.objects.filter(pk=assignment.pk).update(contact_deadline=timezone.now() + timedelta(days=1, hours=12))
    with transaction.atomic():
        sweep_contact_deadlines.delay_on_commit()
    assert wait_until(
        lambda: Notification.objects.filter(assignment=assignment, kind="reminder", sent_at__isnull=False).exists(),
        celery_worker_process,
        "advisors.tasks.sweep_contact_deadlines[",
    )
    reminder = Notification.objects.get(assignment=assignment, kind="reminder")
    assert reminder.recipients == 1
