"""The applications app pauses a case's clock while it waits for a completion (paused_at). A
paused or no longer granted case gets no reminder and is not marked overdue."""

from datetime import timedelta

import pytest
import time_machine

from advisors import services
from applications.models import Application

from .sweep_helpers import GRANT, assigned

pytestmark = pytest.mark.usefixtures("advisor")


def test_paused_clock_is_respected():
    a = assigned()
    Application.objects.filter(pk=a.application_id).update(paused_at=GRANT + timedelta(days=1))
    with time_machine.travel(GRANT + timedelta(days=8), tick=False):
        result = services.sweep_contact_deadlines()
    a.refresh_from_db()
    assert result.skipped_paused == 1
    assert a.overdue is False


def test_closed_application_is_not_chased():
    a = assigned()
    Application.objects.filter(pk=a.application_id).update(status="closed")
    with time_machine.travel(GRANT + timedelta(days=8), tick=False):
        services.sweep_contact_deadlines()
    a.refresh_from_db()
    assert a.overdue is False


def test_running_clock_is_chased():
    a = assigned()
    with time_machine.travel(GRANT + timedelta(days=8), tick=False):
        services.sweep_contact_deadlines()
    a.refresh_from_db()
    assert a.overdue is True
