"""Registration attachments are checked off the request: the upload is stored "pending" and a
task (given the attachment's id) runs the expensive checks (PDF active content, office macros
and zip limits, ClamAV) and sets "clean" or "refused". The task is idempotent; a refused file is
deleted from storage and the applicant's page says why (Swedish); ClamAV being down leaves the
attachment pending for a later try. The officer cannot decide while an attachment is pending or
refused, and cannot open one that is not clean."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from omstallning.accounts.roles import Role
from omstallning.core import uploads
from registry import services, tasks
from registry.models import RegistrationAttachment, RegistrationCase
from tests.factories import UserFactory
from tests.hostile.files import pdf_with_javascript

from .test_registration_workflow import COMPLETE

pytestmark = pytest.mark.django_db

PLAIN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
D = datetime.date


def files_under(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def applicant():
    return UserFactory(role=Role.ORGANISATION_REPORTER)


@pytest.fixture
def officer():
    return UserFactory(role=Role.CASE_OFFICER)


@pytest.fixture
def case(applicant):
    case = services.registration_case_create(by=applicant)
    return services.registration_case_update(case=case, data=dict(COMPLETE), by=applicant)


def add(case, applicant, name="stadgar.pdf", data=PLAIN_PDF):
    return services.registration_attachment_add(
        case=case, topic="a", upload=SimpleUploadedFile(name, data), by=applicant
    )


def test_the_upload_is_pending_and_the_task_gets_the_id_after_the_commit(
    case, applicant, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.scan_registration_attachment, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment = add(case, applicant)
    assert attachment.status == "pending" and attachment.checked_at is None
    assert queued == [] and len(callbacks) == 1
    callbacks[0]()
    assert queued == [(attachment.pk,)]


def test_the_expensive_checks_do_not_run_in_the_request(case, applicant, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("ran in the request")

    monkeypatch.setattr(uploads, "check_pdf", must_not_run)
    monkeypatch.setattr(uploads, "scan_upload", must_not_run)
    assert add(case, applicant, data=pdf_with_javascript()).status == "pending"


def test_the_task_marks_a_clean_file_and_is_idempotent(case, applicant):
    attachment = add(case, applicant)
    assert tasks.scan_registration_attachment(attachment.pk) == "clean"
    attachment.refresh_from_db()
    first = attachment.checked_at
    assert attachment.status == "clean" and first is not None
    assert tasks.scan_registration_attachment(attachment.pk) == "clean"
    attachment.refresh_from_db()
    assert attachment.checked_at == first
    assert tasks.scan_registration_attachment(999999) == "gone"


def test_a_refused_file_is_deleted_and_stays_refused(case, applicant, settings, django_capture_on_commit_callbacks):
    attachment = add(case, applicant, data=pdf_with_javascript())
    assert len(files_under(settings.PRIVATE_MEDIA_ROOT)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_registration_attachment(attachment.pk) == "refused"
    attachment.refresh_from_db()
    assert (attachment.status, attachment.refusal_code, attachment.file.name) == ("refused", "pdf_active_content", "")
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []
    assert tasks.scan_registration_attachment(attachment.pk) == "refused"


def test_a_virus_found_by_clamav_refuses_the_file(case, applicant, monkeypatch):
    def infected(file):
        raise uploads.UploadRejected("virus", "virus")

    monkeypatch.setattr(uploads, "scan_upload", infected)
    attachment = add(case, applicant)
    assert tasks.scan_registration_attachment(attachment.pk) == "refused"
    attachment.refresh_from_db()
    assert attachment.refusal_code == "virus"


def test_clamav_down_leaves_the_attachment_pending_for_a_later_try(case, applicant, monkeypatch, settings):
    def down(file):
        raise uploads.ScannerUnavailable("clamd does not answer")

    monkeypatch.setattr(uploads, "scan_upload", down)
    attachment = add(case, applicant)
    with pytest.raises(uploads.ScannerUnavailable):
        services.registration_attachment_scan(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    assert attachment.status == "pending" and attachment.file.name
    assert len(files_under(settings.PRIVATE_MEDIA_ROOT)) == 1


def test_pending_attachments_are_queued_again_after_ten_minutes(case, applicant, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.scan_registration_attachment, "delay", lambda *args: queued.append(args))
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        old = add(case, applicant)
        done = add(case, applicant)
        RegistrationAttachment.objects.filter(pk=done.pk).update(status="clean")
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        young = add(case, applicant)
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        assert tasks.requeue_pending_attachments() == 1
    assert queued == [(old.pk,)]
    assert young.pk != old.pk


def submitted(case, applicant):
    return services.registration_case_submit(case=case, by=applicant)


def test_the_officer_cannot_decide_while_an_attachment_is_pending_or_refused(case, applicant, officer, english):
    pending = add(case, applicant)
    case = submitted(case, applicant)
    for decide in (
        lambda: services.registration_case_register(
            case=case, registered_from=D(2027, 1, 1), decision_number="KK 1", by=officer
        ),
        lambda: services.registration_case_refuse(case=case, reasons="Nej.", by=officer),
    ):
        with pytest.raises(ValidationError, match="still being checked"):
            decide()
    RegistrationAttachment.objects.filter(pk=pending.pk).update(status="refused", refusal_code="virus", file="")
    with pytest.raises(ValidationError, match="refused by the safety check"):
        services.registration_case_register(
            case=case, registered_from=D(2027, 1, 1), decision_number="KK 1", by=officer
        )
    assert RegistrationCase.objects.get(pk=case.pk).state == "submitted"
    # completion is requested; the applicant removes the refused file and sends again
    services.registration_case_request_completion(case=case, what="Bifoga stadgarna igen.", by=officer)
    case.refresh_from_db()
    services.registration_attachment_remove(attachment=case.attachments.get(), by=applicant)
    clean = add(case, applicant)
    tasks.scan_registration_attachment(clean.pk)
    case = submitted(case, applicant)
    case = services.registration_case_register(
        case=case, registered_from=D(2027, 1, 1), decision_number="KK 1", by=officer
    )
    assert case.state == "registered"


def test_the_admin_shows_the_status_refuses_the_decision_and_the_download(client, case, applicant, officer):
    attachment = add(case, applicant)
    case = submitted(case, applicant)
    client.force_login(officer)
    change = client.get(reverse("admin:registry_registrationcase_change", args=[case.pk])).content.decode()
    assert "Kontrolleras" in change
    download = reverse("admin:registry_registrationcase_attachment", args=[case.pk, attachment.pk])
    assert client.get(download).status_code == 404
    action = reverse("admin:registry_registrationcase_action", args=[case.pk, "register"])
    response = client.post(action, {"registered_from": "2027-01-01", "decision_number": "KK 1"})
    assert response.status_code == 200
    assert "kontrolleras fortfarande" in response.content.decode()
    assert RegistrationCase.objects.get(pk=case.pk).state == "submitted"
    tasks.scan_registration_attachment(attachment.pk)
    assert client.get(download).status_code == 200
    response = client.post(action, {"registered_from": "2027-01-01", "decision_number": "KK 1"})
    assert response.status_code == 302
    assert RegistrationCase.objects.get(pk=case.pk).state == "registered"


def test_the_applicant_sees_the_status_and_removes_a_refused_file(client, case, applicant, settings):
    attachment = add(case, applicant, data=pdf_with_javascript())
    client.force_login(applicant)
    edit = reverse("registry:registration_edit", args=[case.pk])
    assert 'data-status="pending"' in client.get(edit).content.decode()
    tasks.scan_registration_attachment(attachment.pk)
    page = client.get(edit).content.decode()
    assert 'data-status="refused"' in page and "godtogs inte" in page
    remove = reverse("registry:registration_attachment_remove", args=[case.pk, attachment.pk])
    assert client.post(remove).status_code == 302
    assert not RegistrationAttachment.objects.exists()
    # someone else cannot remove another applicant's attachment
    other = add(case, applicant)
    client.force_login(UserFactory(role=Role.ORGANISATION_REPORTER))
    assert client.post(reverse("registry:registration_attachment_remove", args=[case.pk, other.pk])).status_code == 404
    assert RegistrationAttachment.objects.filter(pk=other.pk).exists()
