"""A transition locks the case row FOR NO KEY UPDATE: while it holds the lock, another connection
can still insert and update rows that refer to the case (the receipt claim's upsert, the
receipt_sent case event), which take a KEY SHARE lock on it. A plain FOR UPDATE (the control)
makes them wait. Postgres only: two real connections, the second with a short lock_timeout."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from applications import services
from applications.models import Application, CaseEvent, ReceiptClaim, Status

from .factories import officer, submitted_application

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs Postgres row locks and two connections"),
]


def _fresh(app):
    """As if the receipt task had not run yet (in these tests it ran on the submit's commit)."""
    ReceiptClaim.objects.filter(application=app).delete()
    CaseEvent.objects.filter(application=app, action="receipt_sent").delete()


def _from_another_connection(application_id: int) -> list[str]:
    """What the receipt task does to the case's rows, from a second connection that waits at
    most 300 ms for a lock; returns the steps that had to wait (timed out)."""
    waited, errors = [], []

    def step(name, action):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '300ms'")
                action()
        except OperationalError as exc:
            if "lock timeout" not in str(exc):
                raise
            waited.append(name)

    def claim_insert():
        assert services._receipt_claim(application_id) is not None

    def claim_update():
        ReceiptClaim.objects.filter(application_id=application_id).update(sent_at=timezone.now())

    def event_insert():
        CaseEvent.objects.create(application_id=application_id, action="receipt_sent")

    def run():
        try:
            step("claim_insert", claim_insert)
            step("claim_update", claim_update)
            step("event_insert", event_insert)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == []
    return waited


def test_the_receipt_rows_do_not_wait_for_a_transition():
    app = submitted_application()
    _fresh(app)
    by = officer()
    with transaction.atomic():
        services.application_close(application_id=app.pk, reason="Klart.", by=by)
        # the transition's lock (and its UPDATE of the case row) is held until this block ends
        waited = _from_another_connection(app.pk)
    assert waited == []
    app.refresh_from_db()
    assert app.status == Status.CLOSED
    assert ReceiptClaim.objects.get(application=app).sent_at is not None
    assert CaseEvent.objects.filter(application=app, action="receipt_sent").count() == 1


def test_the_receipt_rows_do_not_wait_for_taking_the_case():
    app = submitted_application()
    _fresh(app)
    with transaction.atomic():
        services.application_take(application_id=app.pk, by=officer())
        waited = _from_another_connection(app.pk)
    assert waited == []
    assert ReceiptClaim.objects.get(application=app).sent_at is not None


def test_control_a_plain_for_update_makes_them_wait():
    """The test can fail: under FOR UPDATE (what the transition took before) the inserts wait."""
    app = submitted_application()
    _fresh(app)
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=app.pk)
        waited = _from_another_connection(app.pk)
    assert waited == ["claim_insert", "event_insert"]  # (with no claim row, the update had nothing to wait for)
    assert not ReceiptClaim.objects.filter(application=app).exists()
