"""The sweep never sends the same notification twice: run twice, run concurrently from two
threads (two database connections, Postgres row locks with SKIP LOCKED), or after a worker died
between deciding and sending."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections

from advisors import services
from advisors.models import Notification

from .sweep_helpers import GRANT, assigned

pytestmark = pytest.mark.usefixtures("advisor")


def test_sweep_twice_sends_once():
    assigned()
    assigned()
    mail.outbox.clear()
    with time_machine.travel(GRANT + timedelta(days=5, hours=1), tick=False):
        services.sweep_contact_deadlines()
        services.sweep_contact_deadlines()
    assert len(mail.outbox) == 2
    with time_machine.travel(GRANT + timedelta(days=7, hours=1), tick=False):
        services.sweep_contact_deadlines()
        services.sweep_contact_deadlines()
    assert Notification.objects.filter(kind="reminder").count() == 2
    assert Notification.objects.filter(kind__startswith="overdue").count() == 4
    assert len(mail.outbox) == 2 + 4


def test_a_worker_that_died_before_sending_is_recovered(monkeypatch):
    """The decision was committed but the mail never left: the next sweep sends it, once."""
    a = assigned()
    mail.outbox.clear()
    from advisors import tasks

    monkeypatch.setattr(tasks.deliver_notification, "delay_on_commit", lambda *a, **k: None)
    monkeypatch.setattr(services.selectors, "unsent_notification_ids", lambda **k: [])
    with time_machine.travel(GRANT + timedelta(days=5, hours=1), tick=False):
        services.sweep_contact_deadlines()
    assert mail.outbox == []
    assert Notification.objects.get(assignment=a, kind="reminder").sent_at is None
    monkeypatch.undo()
    with time_machine.travel(GRANT + timedelta(days=5, hours=2), tick=False):
        result = services.sweep_contact_deadlines()
        services.sweep_contact_deadlines()
    assert result.delivered == 1
    assert len(mail.outbox) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need Postgres")
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_notification_once():
    cases = [assigned() for _ in range(12)]
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(services.sweep_contact_deadlines())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with time_machine.travel(GRANT + timedelta(days=7, hours=1), tick=False):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert errors == []
    assert sum(r.overdue for r in results) == len(cases)
    assert Notification.objects.filter(kind="overdue_coordinator").count() == len(cases)
    overdue_mails = [m for m in mail.outbox if "Försenad" in m.subject or "Overdue" in m.subject]
    assert len(overdue_mails) == 2 * len(cases)  # one to the coordinator, one to the case officer
