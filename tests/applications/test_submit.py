"""Submitting a draft: reference number, snapshot, stored evaluation, receipt, exactly once."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from applications import services
from applications.models import Application, CaseEvent, Draft, Priority, Service, Status

from .factories import ApplicantFactory, DraftFactory, complete_data, employment_data, pdf_upload

pytestmark = pytest.mark.django_db


def test_submit_creates_application_with_reference_snapshot_and_evaluation():
    draft = DraftFactory()
    services.attachment_add(upload=pdf_upload(), kind="arbetsgivarintyg", draft=draft, by=draft.applicant)
    result = services.application_submit(token=draft.token, by=draft.applicant)
    app = result.application
    assert result.created
    assert re.fullmatch(r"OOO-\d{4}-\d{6}", app.reference)
    assert app.status == Status.SUBMITTED
    assert app.snapshot["steps"]["about"]["municipality"] == "Uppsala"
    assert app.snapshot["attachments"][0]["name"] == "intyg.pdf"
    assert app.eligibility_input["service"] == "radgivning"
    assert app.eligibility_result["eligible"] is True
    assert app.eligible is True
    assert app.evaluation is not None
    assert app.evaluation.input == app.eligibility_input
    assert app.evaluation.result == app.eligibility_result
    assert app.evaluation.ruleset_version
    assert {r["rule"] for r in app.eligibility_result["reasons"]} >= {"R-1.10", "R-1.17"}
    assert app.priority == Priority.ENDING
    assert app.attachments.count() == 1
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert CaseEvent.objects.filter(application=app, action="submit").exists()


def test_receipt_email_says_what_happens_next():
    draft = DraftFactory()
    with pytest.MonkeyPatch.context():
        pass
    app = services.application_submit(token=draft.token, by=draft.applicant).application
    # tasks are eager but enqueued on commit: run the receipt directly as the task would
    services.application_send_receipt(application_id=app.pk)
    assert len(mail.outbox) == 1
    assert app.reference in mail.outbox[0].subject or app.reference in mail.outbox[0].body
    # idempotent
    services.application_send_receipt(application_id=app.pk)
    assert len(mail.outbox) == 1


def test_double_submit_creates_one_application():
    draft = DraftFactory()
    first = services.application_submit(token=draft.token, by=draft.applicant)
    second = services.application_submit(token=draft.token, by=draft.applicant)
    assert first.created and not second.created
    assert first.application.pk == second.application.pk
    assert Application.objects.count() == 1


def test_double_post_through_the_view(client):
    draft = DraftFactory()
    client.force_login(draft.applicant)
    url = reverse("applications:submit")
    r1 = client.post(url, {"token": str(draft.token), "confirm": "on"})
    r2 = client.post(url, {"token": str(draft.token), "confirm": "on"})
    assert r1.status_code == 302 and r2.status_code == 302
    assert r1["Location"] == r2["Location"]
    assert Application.objects.count() == 1


def test_references_are_sequential_and_unique():
    a = services.application_submit(token=DraftFactory().token, by=None or Draft.objects.last().applicant)
    b_draft = DraftFactory()
    b = services.application_submit(token=b_draft.token, by=b_draft.applicant)
    n1 = int(a.application.reference.rsplit("-", 1)[1])
    n2 = int(b.application.reference.rsplit("-", 1)[1])
    assert n2 == n1 + 1


def test_incomplete_draft_is_refused_and_nothing_saved():
    from django.core.exceptions import ValidationError

    draft = DraftFactory(data={"about": complete_data()["about"]})
    with pytest.raises(ValidationError):
        services.application_submit(token=draft.token, by=draft.applicant)
    assert Application.objects.count() == 0
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_someone_else_cannot_submit_my_draft():
    draft = DraftFactory()
    other = ApplicantFactory()
    with pytest.raises(Draft.DoesNotExist):
        services.application_submit(token=draft.token, by=other)
    assert Application.objects.count() == 0


def test_refused_evaluation_still_submits_with_failed_rules():
    data = complete_data(employment=employment_data(kollektivavtal="yes"))
    draft = DraftFactory(data=data)
    app = services.application_submit(token=draft.token, by=draft.applicant).application
    assert app.eligible is False
    assert "R-1.13" in app.failed_rules


def test_employed_applicant_has_lower_priority():
    data = complete_data(
        Service.VAGLEDNING, employment=employment_data(situation="anstalld", employment_end_date=None)
    )
    draft = DraftFactory(service=Service.VAGLEDNING, data=data)
    app = services.application_submit(token=draft.token, by=draft.applicant).application
    assert app.priority == Priority.EMPLOYED


def test_snapshot_cannot_be_changed():
    from django.core.exceptions import ValidationError

    draft = DraftFactory()
    app = services.application_submit(token=draft.token, by=draft.applicant).application
    app.snapshot = {**app.snapshot, "service": "vagledning"}
    with pytest.raises(ValidationError):
        app.save()


def test_garbage_token_is_404(client):
    client.force_login(ApplicantFactory())
    assert client.post(reverse("applications:submit"), {"token": "not-a-uuid", "confirm": "on"}).status_code == 404
