"""omstallning.core.uploads.pdf_has_active_content and check_pdf: PDFs with scripts, launch
actions, embedded files or encryption are refused, also when the name is hex-escaped or hidden in
a compressed object stream; ordinary PDFs (WeasyPrint's, pypdf's) pass."""

import io
import zlib

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from omstallning.core.uploads import UploadRejected, check_pdf, pdf_has_active_content
from tests.hostile.files import pdf_with_javascript


def make_pdf(catalog_extra: bytes = b"", extra_objects=(), raw_objects=(), page_extra: bytes = b"") -> bytes:
    """A one-page PDF; `extra_objects` are appended as objects 4, 5, …; `raw_objects` are
    (header, stream bytes) written as stream objects after them; `page_extra` goes into the page."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page_extra + b" >>",
        *extra_objects,
    ]
    for header, stream in raw_objects:
        objects.append(header + b"\nstream\n" + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def upload(data: bytes, name="dokument.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_a_plain_pdf_has_no_active_content():
    f = upload(make_pdf())
    assert pdf_has_active_content(f) is False
    check_pdf(f)  # no exception
    assert f.tell() == 0


def test_a_pdf_rendered_by_weasyprint_passes():
    from weasyprint import HTML

    data = HTML(string="<h1>Stadgar</h1><p>Åäö, paragraf 1.</p>").write_pdf()
    check_pdf(upload(data))


def test_a_pdf_written_by_pypdf_passes():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    check_pdf(upload(out.getvalue()))


def test_javascript_open_action_is_found():
    f = upload(pdf_with_javascript())
    assert pdf_has_active_content(f) is True
    with pytest.raises(UploadRejected) as exc:
        check_pdf(f)
    assert exc.value.code == "pdf_active_content"
    assert f.tell() == 0


@pytest.mark.parametrize(
    "action",
    [
        b"<< /S /Launch /F (calc.exe) >>",
        b"<< /S /SubmitForm /F (https://example.invalid/) >>",
        b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> /Type /EmbeddedFile >>",
        b"<< /Type /RichMedia >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    ],
)
def test_each_kind_of_active_content_is_found(action):
    data = make_pdf(b"/OpenAction 4 0 R", extra_objects=[action])
    assert pdf_has_active_content(upload(data)) is True


def test_a_hex_escaped_name_is_found():
    # /J#61vaScript is the name /JavaScript (ISO 32000-1, 7.3.5)
    data = make_pdf(b"/OpenAction 4 0 R", extra_objects=[b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"])
    assert b"/JavaScript" not in data and b"/JS" not in data
    assert pdf_has_active_content(upload(data)) is True


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    hidden = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    compressed = zlib.compress(b"4 0 " + hidden)
    header = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>" % len(compressed)
    data = make_pdf(b"/OpenAction 4 0 R", raw_objects=[(header, compressed)])
    assert b"JavaScript" not in data
    assert pdf_has_active_content(upload(data)) is True


@pytest.mark.parametrize("limit", ["PDF_MAX_INFLATED", "PDF_MAX_DECODED_STREAM"])
def test_a_compressed_stream_bomb_is_refused_at_the_limit(monkeypatch, limit):
    from omstallning.core import uploads

    monkeypatch.setattr(uploads, limit, 1024 * 1024)
    bomb = zlib.compress(b"\0" * (50 * 1024 * 1024) + b"/JavaScript", 9)
    data = make_pdf(raw_objects=[(b"<< /Filter /FlateDecode /Length %d >>" % len(bomb), bomb)])
    # inflating stops one byte past the first MiB: nothing blows up, and what was not inspected
    # is not let through
    f = upload(data)
    assert pdf_has_active_content(f) is True
    with pytest.raises(UploadRejected) as exc:
        check_pdf(f)
    assert exc.value.code == "pdf_too_large"
    assert "1 MiB" in str(exc.value.message)


def test_a_stream_just_within_the_limit_passes(monkeypatch):
    from omstallning.core import uploads

    monkeypatch.setattr(uploads, "PDF_MAX_INFLATED", 1024 * 1024)
    full = zlib.compress(b"\0" * (1024 * 1024), 9)
    data = make_pdf(raw_objects=[(b"<< /Filter /FlateDecode /Length %d >>" % len(full), full)])
    check_pdf(upload(data))


def test_javascript_before_a_damaged_block_of_a_compressed_stream_is_found():
    # a reader that keeps what it could inflate (MuPDF does) still sees the first object
    hidden = b"4 0 << /S /JavaScript /JS (app.alert\\(1\\)) >>" + b"%d " % 7 * 20_000
    deflate = zlib.compressobj()
    compressed = deflate.compress(hidden) + deflate.flush(zlib.Z_FULL_FLUSH) + b"\xff" * 50
    with pytest.raises(zlib.error):
        zlib.decompress(compressed)
    header = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>" % len(compressed)
    data = make_pdf(b"/OpenAction 4 0 R", raw_objects=[(header, compressed)])
    assert pdf_has_active_content(upload(data)) is True


def test_a_broken_compressed_stream_is_skipped():
    data = make_pdf(raw_objects=[(b"<< /Filter /FlateDecode /Length 6 >>", b"x\x9cBAD!")])
    assert pdf_has_active_content(upload(data)) is False


def test_an_ordinary_name_that_starts_like_an_active_one_is_not_refused():
    data = make_pdf(extra_objects=[b"<< /JSONData 1 /JavaScriptish 2 /Launcher 3 >>"])
    assert pdf_has_active_content(upload(data)) is False


def test_an_encrypted_pdf_is_refused():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="hemligt", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UploadRejected) as exc:
        check_pdf(upload(out.getvalue()))
    assert exc.value.code == "pdf_encrypted"


def test_a_file_that_is_not_a_pdf_is_refused():
    with pytest.raises(UploadRejected) as exc:
        check_pdf(upload(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, name="bild.pdf"))
    assert exc.value.code == "pdf_invalid"


def test_messages_are_translated_to_swedish():
    from django.utils import translation

    with translation.override("sv"), pytest.raises(UploadRejected) as exc:
        check_pdf(upload(pdf_with_javascript()))
    assert "PDF" in str(exc.value.message)
    assert str(exc.value.message) != (
        "The PDF contains scripts, embedded files or other active content. Save it as a plain PDF and try again."
    )
