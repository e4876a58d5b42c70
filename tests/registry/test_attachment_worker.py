"""A real Celery worker (on Redis, not eager) checks registration attachments after the upload's
commit: a clean PDF becomes "clean", a PDF with JavaScript "refused" and its file is deleted."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from omstallning.accounts.roles import Role
from registry import services
from registry.models import RegistrationAttachment
from tests.factories import UserFactory
from tests.hostile.files import pdf_with_javascript

pytestmark = [pytest.mark.celery_worker]

PLAIN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def test_the_worker_checks_the_attachments_after_the_commit(celery_worker_process, settings):
    # the worker (test settings) reads uploads from var/test-private: store the files there too
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT = settings.BASE_DIR / "var" / "test-private"
    applicant = UserFactory(role=Role.ORGANISATION_REPORTER)
    case = services.registration_case_create(by=applicant)
    with transaction.atomic():
        clean = services.registration_attachment_add(
            case=case, topic="a", upload=SimpleUploadedFile("stadgar.pdf", PLAIN_PDF), by=applicant
        )
        bad = services.registration_attachment_add(
            case=case, topic="b", upload=SimpleUploadedFile("paket.pdf", pdf_with_javascript()), by=applicant
        )
        assert {clean.status, bad.status} == {"pending"}
    bad_path = settings.PRIVATE_MEDIA_ROOT / bad.file.name
    clean_path = settings.PRIVATE_MEDIA_ROOT / clean.file.name
    assert bad_path.exists()
    try:
        celery_worker_process("succeeded", timeout=60)
        deadline = time.monotonic() + 30
        while (
            RegistrationAttachment.objects.filter(pk__in=[clean.pk, bad.pk], status="pending").exists()
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        clean.refresh_from_db()
        bad.refresh_from_db()
        assert clean.status == "clean"
        assert (bad.status, bad.refusal_code, bad.file.name) == ("refused", "pdf_active_content", "")
        assert not bad_path.exists() and clean_path.exists()
    finally:
        clean_path.unlink(missing_ok=True)
        bad_path.unlink(missing_ok=True)
