"""Downloads name their file through Django's FileResponse (RFC 6266 / 5987 encoding) after the
name is cleaned of paths, quotes and control characters."""

import pytest

from omstallning.core.services import attachment_response, safe_download_name


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ('a"; filename="evil.exe', "a__ filename=_evil.exe"),
        ("rad\r\nSet-Cookie: x=1.pdf", "rad__Set-Cookie_ x=1.pdf"),
        ("C:\\Users\\x\\intyg.pdf", "intyg.pdf"),
        ("", "download"),
        ("...", "download"),
    ],
)
def test_safe_download_name(raw, clean):
    assert safe_download_name(raw) == clean


def test_long_names_keep_the_extension():
    name = safe_download_name("x" * 400 + ".pdf")
    assert len(name) == 150 and name.endswith(".pdf")


def test_non_ascii_names_are_encoded_per_rfc_5987():
    response = attachment_response(b"%PDF-1.7", filename="Läkarintyg Åsa.pdf", content_type="application/pdf")
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    assert "filename*=utf-8''L%C3%A4karintyg%20%C3%85sa.pdf" in header
    assert "\n" not in header and "\r" not in header
    assert response.content == b"%PDF-1.7"


def test_a_file_is_streamed_with_the_same_header(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.7")
    with open(path, "rb") as fh:
        response = attachment_response(fh, filename='../"intyg".pdf', content_type="application/pdf")
        assert response["Content-Disposition"] == 'attachment; filename="_intyg_.pdf"'
        assert b"".join(response.streaming_content) == b"%PDF-1.7"
