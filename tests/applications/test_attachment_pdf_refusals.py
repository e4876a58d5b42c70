"""An applicant's PDF attachment goes through the whole shared PDF check (core.uploads.check_pdf),
not only the active-content part: a password-protected PDF, which the case officer could not
open, is refused with its own message, and so is a PDF whose streams cannot be inspected; nothing
is stored. The messages are Swedish by default."""

import io
import zlib

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.models import Attachment
from tests.core.test_uploads_pdf import make_pdf

from .factories import DraftFactory

pytestmark = pytest.mark.django_db


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="hemligt", owner_password="hemligt")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_body = zlib.compress(b"1 0 << /Type /Catalog >>")
_header = b"<< /Type /ObjStm /N 1 /First 4 /Filter /BrotliDecode /Length %d >>" % len(_body)
UNKNOWN_FILTER = make_pdf(raw_objects=[(_header, _body)])  # a filter the check cannot decode


def add(content: bytes, name: str = "intyg.pdf"):
    draft = DraftFactory()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return services.attachment_add(upload=upload, kind="arbetsgivarintyg", draft=draft, by=draft.applicant)


def test_a_password_protected_pdf_is_refused_with_its_own_message():
    assert encrypted_pdf().startswith(b"%PDF-")
    with pytest.raises(ValidationError) as exc:
        add(encrypted_pdf())
    assert exc.value.code == "encrypted"
    assert exc.value.messages[0].startswith("Filen ”intyg.pdf” är lösenordsskyddad")
    assert Attachment.objects.count() == 0


def test_a_pdf_whose_streams_cannot_be_inspected_is_refused():
    with pytest.raises(ValidationError) as exc:
        add(UNKNOWN_FILTER)
    assert exc.value.code == "pdf"
    assert exc.value.messages[0].startswith("Filen ”intyg.pdf” kan inte tas emot: ")
    assert Attachment.objects.count() == 0
