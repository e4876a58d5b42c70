"""Uploads: PDF/JPEG/PNG only, at most 10 MB, content sniffed; stored privately; served with checks."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import Attachment

from .factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, ApplicantFactory, DraftFactory, officer, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("intyg-anna.pdf", PDF_BYTES, "application/pdf"),
        ("uppsagning-anna.JPG", JPEG_BYTES, "image/jpeg"),
        ("tidrapport-anna.png", PNG_BYTES, "image/png"),
    ],
)
def test_allowed_files_are_stored_privately(name, content, expected):
    draft = DraftFactory()
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    attachment = services.attachment_add(upload=upload, kind="tidrapport", draft=draft, by=draft.applicant)
    assert attachment.content_type == expected
    path = Path(attachment.file.path)
    assert path.is_file()
    assert str(path).startswith(str(Path(settings.PRIVATE_MEDIA_ROOT).resolve()))
    # The stored name is random: nothing of the applicant's own file name (which may hold personal data) is kept.
    assert Path(name).stem not in str(path)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "type"),
        ("fake.pdf", b"<html>not a pdf</html>", "content"),
        ("photo.pdf", PNG_BYTES, "mismatch"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_files_are_refused_with_a_message(name, content, code):
    draft = DraftFactory()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(upload=upload, kind="tidrapport", draft=draft, by=draft.applicant)
    assert exc.value.code == code
    assert name in exc.value.messages[0]
    assert Attachment.objects.count() == 0


def test_too_large_file_is_refused():
    draft = DraftFactory()
    upload = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(upload=upload, kind="tidrapport", draft=draft, by=draft.applicant)
    assert exc.value.code == "size"


def test_upload_error_shown_in_the_form(client):
    draft = DraftFactory()
    client.force_login(draft.applicant)
    response = client.post(
        reverse("applications:step", args=[draft.pk, "bilagor"]),
        {"kind": "tidrapport", "file": SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf")},
    )
    assert response.status_code == 200
    assert 'href="#id_file"' in response.content.decode()


def test_download_only_for_owner_and_case_officers(client):
    draft = DraftFactory()
    attachment = services.attachment_add(upload=pdf_upload(), kind="tidrapport", draft=draft, by=draft.applicant)
    url = reverse("applications:attachment", args=[attachment.pk])
    client.force_login(draft.applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    client.force_login(ApplicantFactory())
    assert client.get(url).status_code == 404
    client.force_login(officer())
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_remove_own_draft_attachment(client):
    draft = DraftFactory()
    attachment = services.attachment_add(upload=pdf_upload(), kind="tidrapport", draft=draft, by=draft.applicant)
    other = ApplicantFactory()
    client.force_login(other)
    assert client.post(reverse("applications:attachment_remove", args=[draft.pk, attachment.pk])).status_code == 404
    client.force_login(draft.applicant)
    client.post(reverse("applications:attachment_remove", args=[draft.pk, attachment.pk]))
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
