"""The receipt e-mail is claimed, sent with no lock held and then recorded: an officer deciding
the case never waits for SMTP, two senders at once send one receipt, a crashed worker's claim is
taken over by the sweep after the timeout, and a failed send leaves the receipt to the sweep."""

import datetime
import smtplib
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from applications import services
from applications.models import Application, CaseEvent, ReceiptClaim

from .factories import submitted_application


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent upserts need Postgres")


def _receipts(application):
    return CaseEvent.objects.filter(application=application, action="receipt_sent").count()


@pytest.fixture
def no_receipt_at_submit(monkeypatch):
    """Tasks run eagerly in the tests: keep the submit from sending the receipt itself."""
    monkeypatch.setattr(services, "_enqueue_receipt", lambda application_id: None)


@pytest.mark.django_db(transaction=True)
def test_an_officer_can_lock_the_case_while_the_receipt_is_being_sent(monkeypatch, no_receipt_at_submit):
    _postgres_only()
    application = submitted_application()
    sending, release = threading.Event(), threading.Event()
    sent = []

    def slow_smtp(subject, body, from_email, recipients, **kwargs):
        sending.set()
        assert release.wait(timeout=20), "the test never released the mail"
        sent.append(recipients)
        return 1

    monkeypatch.setattr("django.core.mail.send_mail", slow_smtp)
    results = []

    def task():
        from django.db import connections

        try:
            results.append(services.application_send_receipt(application_id=application.pk))
        finally:
            connections.close_all()

    worker = threading.Thread(target=task)
    worker.start()
    try:
        assert sending.wait(timeout=20)
        # the officer's transition takes the same row lock (select_for_update); NOWAIT fails at
        # once if the receipt task holds it
        with transaction.atomic():
            locked = Application.objects.select_for_update(nowait=True).get(pk=application.pk)
            locked.municipality = "Umeå"
            locked.save(update_fields=["municipality"])
    finally:
        release.set()
        worker.join(timeout=30)
    assert results == [True] and len(sent) == 1
    assert _receipts(application) == 1
    assert ReceiptClaim.objects.get(application=application).sent_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["task", "sweep"])
def test_two_senders_at_once_send_one_receipt(monkeypatch, no_receipt_at_submit, second):
    _postgres_only()
    application = submitted_application()
    later = application.submitted_at + services.RECEIPT_SWEEP_AFTER + datetime.timedelta(minutes=1)
    barrier = threading.Barrier(2)
    sent = []
    lock = threading.Lock()

    def smtp(subject, body, from_email, recipients, **kwargs):
        with lock:
            sent.append(recipients)
        threading.Event().wait(0.3)  # a slow server: the other sender runs meanwhile
        return 1

    monkeypatch.setattr("django.core.mail.send_mail", smtp)

    def run(kind):
        from django.db import connections

        try:
            barrier.wait(timeout=20)
            if kind == "sweep":
                services.receipts_sweep(now=later)  # queues send_receipt (eager in the tests)
            else:
                services.application_send_receipt(application_id=application.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=("task",)), threading.Thread(target=run, args=(second,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(sent) == 1
    assert _receipts(application) == 1


@pytest.mark.django_db
def test_a_crashed_workers_claim_is_taken_over_by_the_sweep_after_the_timeout(no_receipt_at_submit):
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        application = submitted_application()
    # a worker claimed the receipt 5 minutes after the submit and died before sending
    crashed_at = start + datetime.timedelta(minutes=5)
    with time_machine.travel(crashed_at, tick=False):
        assert services._receipt_claim(application.pk) is not None
    # the sweep 11 minutes after the submit queues it, but the claim is only 6 minutes old
    at = start + datetime.timedelta(minutes=11)
    with time_machine.travel(at, tick=False):
        assert services.receipts_sweep(now=at) == 1
    assert not mail.outbox and _receipts(application) == 0
    # the next sweep, 15 minutes later, takes the stale claim over and sends
    at = crashed_at + services.RECEIPT_CLAIM_TIMEOUT + datetime.timedelta(minutes=1)
    with time_machine.travel(at, tick=False):
        assert services.receipts_sweep(now=at) == 1
    assert len(mail.outbox) == 1 and _receipts(application) == 1
    with time_machine.travel(at + datetime.timedelta(hours=1), tick=False):
        assert services.receipts_sweep(now=at + datetime.timedelta(hours=1)) == 0
        assert services.application_send_receipt(application_id=application.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_send_releases_the_claim(monkeypatch, no_receipt_at_submit):
    application = submitted_application()

    def refused(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.send_mail", refused)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.application_send_receipt(application_id=application.pk)
    assert not ReceiptClaim.objects.filter(application=application).exists()
    assert _receipts(application) == 0
    monkeypatch.undo()
    assert services.application_send_receipt(application_id=application.pk) is True
    assert len(mail.outbox) == 1 and _receipts(application) == 1


@pytest.mark.django_db
def test_a_receipt_recorded_before_claims_existed_is_not_sent_again(no_receipt_at_submit):
    application = submitted_application()
    CaseEvent.objects.create(application=application, action="receipt_sent")
    assert services.application_send_receipt(application_id=application.pk) is False
    assert not mail.outbox
    assert not ReceiptClaim.objects.filter(application=application).exists()


@pytest.mark.django_db
def test_a_sender_whose_claim_was_taken_over_records_once(monkeypatch, no_receipt_at_submit, caplog):
    """The SMTP-bound duplicate: the first sender outlived its claim and both sent; one event."""
    application = submitted_application()
    takeover = []

    def smtp_with_takeover(subject, body, from_email, recipients, **kwargs):
        if not takeover:
            takeover.append(True)
            later = datetime.datetime.now(datetime.UTC) + services.RECEIPT_CLAIM_TIMEOUT * 2
            with time_machine.travel(later, tick=False):
                assert services.application_send_receipt(application_id=application.pk) is True
        return 1

    monkeypatch.setattr("django.core.mail.send_mail", smtp_with_takeover)
    assert services.application_send_receipt(application_id=application.pk) is True
    assert _receipts(application) == 1
    assert "sent twice" in caplog.text
