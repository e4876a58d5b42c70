"""The case workflow: request completion, answer, grant, refuse, close; who, when, why; races."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from applications import services, workflow
from applications.models import Application, CaseEvent, Decision, Message, Status

from .factories import ApplicantFactory, complete_data, employment_data, officer, pdf_upload, submitted_application

pytestmark = pytest.mark.django_db


def test_the_table_is_the_single_source_of_allowed_transitions():
    assert workflow.allowed("grant", Status.SUBMITTED)
    assert not workflow.allowed("grant", Status.NEEDS_COMPLETION)
    assert not workflow.allowed("refuse", Status.GRANTED)
    assert workflow.allowed("close", Status.GRANTED)
    assert not workflow.allowed("close", Status.CLOSED)


def test_request_completion_pauses_the_clock_and_answer_resumes_it():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        app = submitted_application()
        due = app.due_at
        case_officer = officer()
        services.application_request_completion(
            application_id=app.pk, message="Skicka arbetsgivarintyget.", by=case_officer
        )
        app.refresh_from_db()
        assert app.status == Status.NEEDS_COMPLETION
        assert app.paused_at is not None
        assert Message.objects.get(application=app).is_completion_request
        clock.shift(datetime.timedelta(days=5))
        services.application_answer_completion(
            application_id=app.pk, body="Här är intyget.", uploads=[pdf_upload()], by=app.applicant
        )
        app.refresh_from_db()
        assert app.status == Status.SUBMITTED
        assert app.paused_at is None
        assert app.due_at == due + datetime.timedelta(days=5)
        reply = Message.objects.get(application=app, in_reply_to__isnull=False)
        assert reply.attachments.count() == 1
        assert list(app.events.values_list("action", flat=True)) == [
            "submit",
            "request_completion",
            "answer_completion",
        ]


def test_grant_records_decision_letter_and_starts_advisor_assignment_by_name(
    django_capture_on_commit_callbacks, monkeypatch
):
    app = submitted_application()
    started = []
    monkeypatch.setattr(services, "_enqueue_advisor_assignment", lambda pk: started.append(pk))
    case_officer = officer()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_grant(application_id=app.pk, service="radgivning", by=case_officer)
    app.refresh_from_db()
    assert app.status == Status.GRANTED
    assert app.granted_at is not None and app.granted_service == "radgivning"
    assert app.case_officer == case_officer
    decision = Decision.objects.get(application=app)
    assert "beviljar" in decision.letter_text
    assert app.reference in decision.letter_text
    assert started == [app.pk]
    event = CaseEvent.objects.get(application=app, action="grant")
    assert event.actor == case_officer and event.to_status == Status.GRANTED
    assert app.history.filter(history_change_reason="grant").exists()


def test_grant_with_an_unknown_task_is_skipped_with_a_log_line(monkeypatch):
    from unittest import mock

    from omstallning.celery import app as celery_app

    monkeypatch.setattr(services, "ADVISOR_TASK", "advisors.tasks.no_such_task")
    log = mock.Mock()
    monkeypatch.setattr(services, "logger", log)
    services._enqueue_advisor_assignment(123)
    assert celery_app.conf.task_always_eager
    assert "waits for the sweep" in log.info.call_args[0][0]


def test_refuse_requires_a_reason_and_prefills_failed_rules():
    app = submitted_application(data=complete_data(employment=employment_data(kollektivavtal="yes")))
    case_officer = officer()
    with pytest.raises(ValidationError):
        services.application_refuse(application_id=app.pk, reason=" ", by=case_officer)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    services.application_refuse(application_id=app.pk, reason="Arbetsgivaren har kollektivavtal.", by=case_officer)
    decision = Decision.objects.get(application=app)
    assert decision.failed_rules == ["R-1.13"]
    assert "avslår" in decision.letter_text
    assert "R-1.13" in decision.letter_text


def test_close_from_granted():
    app = submitted_application()
    case_officer = officer()
    services.application_grant(application_id=app.pk, by=case_officer)
    services.application_close(application_id=app.pk, reason="Stödet avslutat.", by=case_officer)
    app.refresh_from_db()
    assert app.status == Status.CLOSED and app.closed_at is not None


def test_transition_not_in_the_table_is_refused():
    app = submitted_application()
    case_officer = officer()
    services.application_refuse(application_id=app.pk, reason="Nej.", by=case_officer)
    with pytest.raises(services.TransitionNotAllowed):
        services.application_request_completion(application_id=app.pk, message="?", by=case_officer)


def test_applicants_cannot_decide():
    app = submitted_application()
    with pytest.raises(PermissionDenied):
        services.application_grant(application_id=app.pk, by=app.applicant)
    with pytest.raises(PermissionDenied):
        services.application_grant(application_id=app.pk, by=ApplicantFactory())


def test_only_the_applicant_answers_a_completion():
    app = submitted_application()
    services.application_request_completion(application_id=app.pk, message="Mer info", by=officer())
    with pytest.raises(PermissionDenied):
        services.application_answer_completion(application_id=app.pk, body="hej", by=ApplicantFactory())


def test_stale_version_is_told():
    app = submitted_application()
    first, second = officer(), officer()
    services.application_grant(application_id=app.pk, by=first, expected_version=app.version)
    with pytest.raises(services.ConcurrentDecision):
        services.application_refuse(application_id=app.pk, reason="Nej", by=second, expected_version=app.version)
    app.refresh_from_db()
    assert app.status == Status.GRANTED
    assert Decision.objects.filter(application=app).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_one_wins(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need Postgres")
    monkeypatch.setattr(services, "_enqueue_advisor_assignment", lambda pk: None)
    app = submitted_application()
    first, second = officer(), officer()
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(user, kind):
        from django.db import connections

        try:
            barrier.wait()
            if kind == "grant":
                services.application_grant(application_id=app.pk, by=user, expected_version=app.version)
            else:
                services.application_refuse(application_id=app.pk, reason="Nej", by=user, expected_version=app.version)
            outcomes.append("won")
        except services.ConcurrentDecision:
            outcomes.append("told")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(first, "grant")),
        threading.Thread(target=decide, args=(second, "refuse")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["told", "won"]
    assert Decision.objects.filter(application=app).count() == 1
    assert Application.objects.get(pk=app.pk).status in (Status.GRANTED, Status.REFUSED)
