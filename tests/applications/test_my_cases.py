"""Mina ärenden: status, explanation, decisions, messages, answering a completion; 404 for others."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Status

from .factories import ApplicantFactory, complete_data, employment_data, officer, pdf_upload, submitted_application

pytestmark = pytest.mark.django_db


def test_list_and_detail_show_status_explanation_and_decision(client):
    app = submitted_application(data=complete_data(employment=employment_data(kollektivavtal="yes")))
    services.application_refuse(application_id=app.pk, reason="Arbetsgivaren har kollektivavtal.", by=officer())
    client.force_login(app.applicant)
    listing = client.get(reverse("applications:my_cases")).content.decode()
    assert app.reference in listing
    detail = client.get(reverse("applications:case", args=[app.pk])).content.decode()
    assert "R-1.13" in detail
    assert "Arbetsgivaren har kollektivavtal." in detail
    assert "kollektivavtal" in detail


def test_answer_a_completion_request_with_upload(client):
    app = submitted_application()
    services.application_request_completion(application_id=app.pk, message="Skicka intyget.", by=officer())
    client.force_login(app.applicant)
    url = reverse("applications:case", args=[app.pk])
    page = client.get(url).content.decode()
    assert "Skicka intyget." in page
    response = client.post(url, {"body": "Här kommer det.", "files": [pdf_upload("svar.pdf")]})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert app.attachments.filter(original_name="svar.pdf").exists()


def test_empty_answer_is_refused_at_the_field(client):
    app = submitted_application()
    services.application_request_completion(application_id=app.pk, message="Skicka intyget.", by=officer())
    client.force_login(app.applicant)
    response = client.post(reverse("applications:case", args=[app.pk]), {"body": ""})
    assert response.status_code == 200
    assert "data-error-summary" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.NEEDS_COMPLETION


def test_bad_file_in_answer_leaves_nothing_half_saved(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    app = submitted_application()
    services.application_request_completion(application_id=app.pk, message="Skicka intyget.", by=officer())
    client.force_login(app.applicant)
    bad = SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(reverse("applications:case", args=[app.pk]), {"body": "Svar", "files": [bad]})
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.status == Status.NEEDS_COMPLETION
    assert app.messages.count() == 1


def test_another_persons_application_is_404(client):
    app = submitted_application()
    client.force_login(ApplicantFactory())
    assert client.get(reverse("applications:case", args=[app.pk])).status_code == 404
    assert client.get(reverse("applications:receipt", args=[app.pk])).status_code == 404
    assert app.reference not in client.get(reverse("applications:my_cases")).content.decode()
