"""What the final submit costs: the number of SQL statements is pinned so that it cannot creep
back (issue 10, T5), and the work moved out of the submit (the registry lookup) still gives the
same snapshot."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, CaseEvent, Draft, HealthDetails, Service

from .factories import ORGNR, ApplicantFactory, DraftFactory, complete_data, employment_data, pdf_upload

pytestmark = pytest.mark.django_db

# The statements of POST /ansok/skicka/ for a complete draft, as the test client sees them:
#  1 session, 2 user (middleware);
#  3 SAVEPOINT (the test's transaction around application_submit's atomic; BEGIN in production);
#  4 the draft, locked, with its health details and attachments joined in;
#  5 INSERT of the evaluation (the current parameters come from the cache:
#    eligibility.selectors.cached_current_parameters_with_set_id);
#  6 the next reference number (one upsert);
#  7 INSERT of the application, 8 its history row (django-simple-history's columns), 9 the case
#  event; 10 DELETE of the draft; 11 RELEASE SAVEPOINT (COMMIT in production).
# The view does not read the draft itself; the registry lookup was made at the employment step.
# Before issue 10's work the same request made 21 statements, before T5's second pass 12.
SUBMIT_STATEMENTS = 11


@pytest.fixture
def warm_parameters():
    """The eligibility parameters in the cache, as they are in a running portal."""
    from eligibility.selectors import cached_current_parameters_with_set_id

    cached_current_parameters_with_set_id()


def _draft_as_filled_in(service=Service.RADGIVNING, **kwargs):
    """A complete draft whose employment step went through the service (as the form does)."""
    draft = DraftFactory(service=service, data=complete_data(service), **kwargs)
    services.draft_save_step(draft=draft, step="employment", data=employment_data(), by=draft.applicant)
    return draft


def _submit(client, draft):
    client.force_login(draft.applicant)
    return client.post(reverse("applications:submit"), {"token": str(draft.token), "confirm": "on"})


def test_submit_view_statements_are_pinned(client, django_assert_max_num_queries, warm_parameters):
    draft = _draft_as_filled_in()
    client.force_login(draft.applicant)
    with django_assert_max_num_queries(SUBMIT_STATEMENTS):
        response = client.post(reverse("applications:submit"), {"token": str(draft.token), "confirm": "on"})
    application = Application.objects.get(source_token=draft.token)
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:receipt", args=[application.pk])
    assert application.evaluation_id is not None
    assert application.history.count() == 1
    assert CaseEvent.objects.filter(application=application, action="submit").count() == 1
    assert not Draft.objects.filter(pk=draft.pk).exists()


def test_submit_with_attachment_and_health_details_adds_one_statement_each(
    client, django_assert_max_num_queries, warm_parameters
):
    draft = _draft_as_filled_in(service=Service.FORSTARKT_STOD)
    services.health_details_save(draft=draft, special_needs=True, description="Behöver anpassning", by=draft.applicant)
    services.attachment_add(upload=pdf_upload(), kind="arbetsgivarintyg", draft=draft, by=draft.applicant)
    draft.refresh_from_db()
    client.force_login(draft.applicant)
    with django_assert_max_num_queries(SUBMIT_STATEMENTS + 2):  # the attachments' and the health details' UPDATE
        response = client.post(reverse("applications:submit"), {"token": str(draft.token), "confirm": "on"})
    assert response.status_code == 302
    application = Application.objects.get(source_token=draft.token)
    assert application.attachments.count() == 1
    assert application.snapshot["attachments"][0]["name"] == "intyg.pdf"
    assert application.snapshot["health_details"] == "stored separately"
    health = HealthDetails.objects.get(application=application)
    assert health.draft_id is None and health.special_needs
    assert application.eligibility_input["illness_special_needs"] is True
    assert not Draft.objects.filter(pk=draft.pk).exists()


def test_registry_lookup_is_made_at_the_employment_step_not_at_submit(client):
    user = ApplicantFactory()
    client.force_login(user)
    draft = Draft.objects.create(applicant=user, service=Service.RADGIVNING, data=complete_data())
    data = {**employment_data(), "next": "1"}
    with CaptureQueriesContext(connection) as step:
        response = client.post(reverse("applications:step", args=[draft.pk, "anstallning"]), data)
    assert response.status_code == 302
    assert any("registry_employeraffiliation" in q["sql"] for q in step.captured_queries)
    draft.refresh_from_db()
    stored = draft.data[services.REGISTRY_KEY]
    assert stored["org_number"] == ORGNR and stored["on"] == timezone.localdate().isoformat()
    with CaptureQueriesContext(connection) as submit:
        response = client.post(reverse("applications:submit"), {"token": str(draft.token), "confirm": "on"})
    assert response.status_code == 302
    assert not any("registry_employeraffiliation" in q["sql"] for q in submit.captured_queries)
    application = Application.objects.get(source_token=draft.token)
    # the lookup is not one of the applicant's steps: the snapshot's steps are exactly the form's
    assert services.REGISTRY_KEY not in application.snapshot["steps"]
    assert set(application.snapshot["steps"]) == {"about", "employment", "work_history"}
    assert application.snapshot["registry_organisation"] == stored["organisation"]


def test_registry_lookup_is_repeated_when_it_is_from_another_day_or_number(monkeypatch):
    calls = []

    def fake_entry(org_number, on_date):
        calls.append((org_number, on_date))
        return {"org_number": org_number, "on": on_date.isoformat(), "organisation": "TRR Trygghetsrådet"}

    draft = DraftFactory()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    draft.data = {**draft.data, services.REGISTRY_KEY: {"org_number": ORGNR, "on": yesterday, "organisation": None}}
    draft.save()
    monkeypatch.setattr(services, "_registry_entry", fake_entry)
    application = services.application_submit(token=draft.token, by=draft.applicant).application
    assert calls == [(ORGNR, timezone.localdate())]
    assert application.snapshot["registry_organisation"] == "TRR Trygghetsrådet"


def test_a_failed_registry_lookup_at_the_step_is_not_stored(monkeypatch, caplog):
    import registry.selectors

    def broken(**kwargs):
        raise RuntimeError("registry down")

    monkeypatch.setattr(registry.selectors, "organisation_for_employer", broken)
    draft = DraftFactory()
    services.draft_save_step(draft=draft, step="employment", data=employment_data(), by=draft.applicant)
    draft.refresh_from_db()
    assert services.REGISTRY_KEY not in draft.data
    # and the submit still goes through (the registry is a help for the officer)
    application = services.application_submit(token=draft.token, by=draft.applicant).application
    assert application.snapshot["registry_organisation"] is None


def test_a_refused_submit_leaves_everything_as_it_was(client):
    draft = _draft_as_filled_in()
    data = dict(draft.data)
    del data["work_history"]
    Draft.objects.filter(pk=draft.pk).update(data=data)
    response = _submit(client, draft)
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:step", args=[draft.pk, "granska"])
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert not Application.objects.exists()
    assert not CaseEvent.objects.exists()


def test_an_unticked_confirmation_shows_the_review_again(client):
    draft = _draft_as_filled_in()
    client.force_login(draft.applicant)
    response = client.post(reverse("applications:submit"), {"token": str(draft.token)})
    assert response.status_code == 200
    assert not Application.objects.exists()
    other = ApplicantFactory()
    client.force_login(other)
    response = client.post(reverse("applications:submit"), {"token": str(draft.token)})
    assert response.status_code == 404


def test_an_unreachable_broker_does_not_turn_a_committed_submit_into_an_error(
    client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from django.core import mail
    from kombu.exceptions import OperationalError

    from applications.tasks import send_receipt

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    draft = _draft_as_filled_in()
    monkeypatch.setattr(send_receipt, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _submit(client, draft)
    assert len(callbacks) == 1
    application = Application.objects.get(source_token=draft.token)
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:receipt", args=[application.pk])
    assert "could not be queued" in caplog.text
    assert not mail.outbox
    monkeypatch.undo()
    # the sweep queues it once the broker is back (tasks run eagerly in the tests)
    later = application.submitted_at + services.RECEIPT_SWEEP_AFTER + datetime.timedelta(minutes=1)
    assert services.receipts_sweep(now=later) == 1
    assert len(mail.outbox) == 1
    assert services.receipts_sweep(now=later) == 0
    assert CaseEvent.objects.filter(application=application, action="receipt_sent").count() == 1


def test_the_receipt_is_queued_only_after_commit(client, django_capture_on_commit_callbacks):
    from django.core import mail

    draft = _draft_as_filled_in()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application = services.application_submit(token=draft.token, by=draft.applicant).application
    assert len(callbacks) == 1 and not mail.outbox
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert CaseEvent.objects.filter(application=application, action="receipt_sent").count() == 1


def test_the_receipt_sweep_leaves_recent_and_old_applications_alone(settings):
    from applications.tasks import sweep_receipts

    draft = DraftFactory()
    application = services.application_submit(token=draft.token, by=draft.applicant).application
    CaseEvent.objects.filter(application=application, action="receipt_sent").delete()
    assert services.receipts_sweep(now=application.submitted_at + datetime.timedelta(minutes=5)) == 0
    assert services.receipts_sweep(now=application.submitted_at + datetime.timedelta(days=8)) == 0
    assert sweep_receipts.name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
