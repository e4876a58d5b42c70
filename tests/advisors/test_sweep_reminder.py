"""The advisor is reminded once when two days are left before the contact deadline."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from advisors import services
from advisors.models import Notification

from .sweep_helpers import GRANT, assigned

pytestmark = pytest.mark.usefixtures("advisor")


def reminders():
    return [m for m in mail.outbox if "Påminnelse" in m.subject or "Reminder" in m.subject]


def test_no_reminder_before_the_window():
    a = assigned()
    mail.outbox.clear()
    with time_machine.travel(GRANT + timedelta(days=4, hours=23), tick=False):
        result = services.sweep_contact_deadlines()
    assert result.reminders == 0
    assert not Notification.objects.filter(assignment=a, kind="reminder").exists()
    assert reminders() == []


def test_reminder_once_when_two_days_are_left(advisor):
    a = assigned()
    mail.outbox.clear()
    with time_machine.travel(GRANT + timedelta(days=5), tick=False):
        first = services.sweep_contact_deadlines()
    with time_machine.travel(GRANT + timedelta(days=5, minutes=15), tick=False):
        second = services.sweep_contact_deadlines()
    with time_machine.travel(GRANT + timedelta(days=6), tick=False):
        third = services.sweep_contact_deadlines()
    assert (first.reminders, second.reminders, third.reminders) == (1, 0, 0)
    assert len(reminders()) == 1
    assert reminders()[0].to == [advisor.user.email]
    assert a.application.reference in reminders()[0].body
    assert Notification.objects.get(assignment=a, kind="reminder").sent_at is not None


def test_no_reminder_after_the_first_contact(advisor):
    a = assigned()
    with time_machine.travel(GRANT + timedelta(days=2), tick=False):
        services.contact_record(
            assignment=a, kind="contact", occurred_at=GRANT + timedelta(days=1), mode="digital", by=advisor.user
        )
    mail.outbox.clear()
    with time_machine.travel(GRANT + timedelta(days=5, hours=1), tick=False):
        result = services.sweep_contact_deadlines()
    with time_machine.travel(GRANT + timedelta(days=8), tick=False):
        later = services.sweep_contact_deadlines()
    assert result.reminders == 0
    assert later.overdue == 0
    assert mail.outbox == []
