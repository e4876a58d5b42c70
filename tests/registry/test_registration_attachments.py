"""Attachments to an application for registration: the service checks every file (not only the
form). In the request: extension, size and type sniffed from the first bytes; a file refused there
leaves nothing behind (no row, no file on disk). Then, in the task (run here through the commit
callbacks, eagerly): no active content in a PDF, no macros or zip bombs in office files, the
parts an office file must have; a file refused there is deleted from storage and its row says
why (test_attachment_scan_task.py)."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from omstallning.accounts.roles import Role
from registry import services
from registry.models import RegistrationAttachment, RegistrationCase
from tests.factories import UserFactory
from tests.hostile.files import pdf_with_javascript, zip_bomb_xlsx

pytestmark = pytest.mark.django_db


def files_under(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def office_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


DOCX = office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
DOCX_WITH_MACROS = office_zip(
    {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"\0" * 10}
)
ODT = office_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
PLAIN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def applicant():
    return UserFactory(role=Role.ORGANISATION_REPORTER)


@pytest.fixture
def case(applicant):
    return services.registration_case_create(by=applicant)


def add(case, applicant, name, data, topic="a"):
    return services.registration_attachment_add(
        case=case, topic=topic, upload=SimpleUploadedFile(name, data), by=applicant
    )


@pytest.fixture
def add_and_scan(django_capture_on_commit_callbacks):
    def run(case, applicant, name, data, topic="a"):
        with django_capture_on_commit_callbacks(execute=True):
            attachment = add(case, applicant, name, data, topic)
        attachment.refresh_from_db()
        return attachment

    return run


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("stadgar.pdf", PLAIN_PDF),
        ("bild.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20),
        ("avgifter.docx", DOCX),
        ("kapital.odt", ODT),
        ("lista.csv", "organisationsnummer;namn\n556036-0793;Åkeri AB\n".encode()),
        ("beskrivning.txt", "Vår organisation…".encode()),
    ],
)
def test_ordinary_documents_are_accepted(case, applicant, name, data, settings, add_and_scan):
    attachment = add_and_scan(case, applicant, name, data)
    assert attachment.pk and attachment.original_name == name
    assert (attachment.status, attachment.refusal_code) == ("clean", "")
    assert len(files_under(settings.PRIVATE_MEDIA_ROOT)) == 1


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("stadgar.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "mismatch"),  # a PNG called .pdf
        ("bild.png", PLAIN_PDF, "mismatch"),
        ("avgifter.docx", PLAIN_PDF, "mismatch"),  # not even a zip
        ("lista.csv", pdf_with_javascript(), "mismatch"),  # a PDF called .csv
        ("program.exe", b"MZ\x90\x00", "type"),
        ("tom.pdf", b"", "empty"),
    ],
)
def test_mislabelled_files_are_refused_in_the_request_and_nothing_is_stored(
    case, applicant, name, data, code, settings
):
    with pytest.raises(ValidationError) as exc:
        add(case, applicant, name, data)
    assert exc.value.code == code
    assert exc.value.messages and len(exc.value.messages[0]) < 400
    assert not RegistrationAttachment.objects.exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("stadgar.pdf", pdf_with_javascript(), "pdf_active_content"),
        ("avgifter.docx", DOCX_WITH_MACROS, "macros"),
        ("avgifter.docx", ODT, "mismatch"),  # a zip, but not a Word document
        ("kalkyl.xlsx", zip_bomb_xlsx, "zip_too_large"),
    ],
)
def test_dangerous_files_are_refused_by_the_task_and_deleted_from_storage(
    case, applicant, name, data, code, settings, add_and_scan
):
    data = data() if callable(data) else data  # the zip bomb is made only when its test runs
    attachment = add_and_scan(case, applicant, name, data)
    assert (attachment.status, attachment.refusal_code, attachment.file.name) == ("refused", code, "")
    assert attachment.checked_at is not None
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []
    message = services.attachment_refusal_message(attachment)
    assert name in message and len(message) < 400


def test_a_file_larger_than_10_mb_is_refused(case, applicant):
    with pytest.raises(ValidationError) as exc:
        add(case, applicant, "stor.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    assert exc.value.code == "size"


def test_an_unknown_topic_is_refused(case, applicant):
    with pytest.raises(ValidationError):
        add(case, applicant, "stadgar.pdf", PLAIN_PDF, topic="z")


def test_only_the_applicant_may_attach_and_only_while_editable(case, applicant):
    with pytest.raises(PermissionDenied):
        add(case, UserFactory(), "stadgar.pdf", PLAIN_PDF)
    RegistrationCase.objects.filter(pk=case.pk).update(state=RegistrationCase.State.SUBMITTED)
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        add(case, applicant, "stadgar.pdf", PLAIN_PDF)


def test_a_failed_database_write_removes_the_stored_file(case, applicant, settings, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(RegistrationAttachment, "save", broken_save)
    with pytest.raises(RuntimeError):
        add(case, applicant, "stadgar.pdf", PLAIN_PDF)
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


def test_the_page_shows_an_immediate_refusal_in_swedish(client, case, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("registry:registration_attachment", args=[case.pk]),
        {"topic": "a", "file": SimpleUploadedFile("stadgar.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 20)},
        follow=True,
    )
    assert response.status_code == 200
    assert "stämmer inte med filändelsen" in response.content.decode()
    assert not RegistrationAttachment.objects.exists()


def test_the_page_shows_the_task_s_refusal_in_swedish(client, case, applicant, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:registration_attachment", args=[case.pk]),
            {"topic": "a", "file": SimpleUploadedFile("stadgar.pdf", pdf_with_javascript())},
        )
    assert response.status_code == 302
    page = client.get(reverse("registry:registration_edit", args=[case.pk])).content.decode()
    assert 'data-testid="attachment-refused"' in page
    assert "Filen ”stadgar.pdf” godtogs inte och har tagits bort." in page
    assert "aktivt innehåll" in page
    assert RegistrationAttachment.objects.get().status == "refused"
