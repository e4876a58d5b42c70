"""A PDF attachment with active content is refused, also when the script hides in a compressed
stream or behind a hex-escaped name (the shared check in omstallning.core.uploads)."""

import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.models import Attachment

from .factories import PDF_BYTES, DraftFactory

pytestmark = pytest.mark.django_db

PLAIN_JS = b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\ntrailer<<>>\n%%EOF\n"
HEX_JS = b"%PDF-1.4\n1 0 obj<</OpenAction<</S/J#61vaScript/JS(x)>>>>endobj\ntrailer<<>>\n%%EOF\n"
_hidden = zlib.compress(b"<</S/JavaScript/JS(app.alert(1))>>")
COMPRESSED_JS = (
    b"%PDF-1.5\n1 0 obj<</Type/ObjStm/Filter/FlateDecode/Length "
    + str(len(_hidden)).encode()
    + b">>stream\n"
    + _hidden
    + b"\nendstream endobj\ntrailer<<>>\n%%EOF\n"
)


@pytest.mark.parametrize("content", [PLAIN_JS, HEX_JS, COMPRESSED_JS], ids=["plain", "hex-escaped", "compressed"])
def test_a_pdf_with_javascript_is_refused_and_nothing_is_stored(content):
    draft = DraftFactory()
    upload = SimpleUploadedFile("intyg.pdf", content, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(upload=upload, kind="arbetsgivarintyg", draft=draft, by=draft.applicant)
    assert exc.value.code == "active_content"
    assert "intyg.pdf" in exc.value.messages[0]
    assert Attachment.objects.count() == 0


def test_a_plain_pdf_is_kept():
    draft = DraftFactory()
    upload = SimpleUploadedFile("intyg.pdf", PDF_BYTES, content_type="application/pdf")
    attachment = services.attachment_add(upload=upload, kind="arbetsgivarintyg", draft=draft, by=draft.applicant)
    assert attachment.content_type == "application/pdf"
