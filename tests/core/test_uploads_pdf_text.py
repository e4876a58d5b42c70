"""omstallning.core.uploads: "/JS" and "/JavaScript" in a PDF's *text* (a heading, a link, a
title, text shown in a content stream) no longer make check_pdf refuse the file; the same names
used as dictionary keys or values are still refused, also when the file is built to make a
tokenizer take the key for text."""

import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from omstallning.core import uploads
from omstallning.core.pdf import html_to_pdf
from omstallning.core.uploads import UploadRejected, check_pdf, pdf_has_active_content
from tests.core.test_uploads_pdf import make_pdf

ACTION = b"/S /JavaScript /JS (app.alert\\(1\\))"


def upload(data: bytes):
    return SimpleUploadedFile("brev.pdf", data, content_type="application/pdf")


def names_seen_by_a_plain_scan(data: bytes) -> set:
    """The active names a scan of the bytes and of the inflated streams finds (what refused these
    files before)."""
    found = set()
    for buffer in (data, *uploads._pdf_decoded_streams(data)):
        for match in uploads._PDF_NAME.finditer(buffer):
            if match.group(1) in uploads.PDF_ACTIVE_NAMES:
                found.add(match.group(1))
    return found


def content_stream_pdf(text_ops: bytes, *, compress: bool, info_title: bytes = b"(Brev)") -> bytes:
    """A one-page PDF with Helvetica text drawn by `text_ops` and an Info dictionary."""
    stream = zlib.compress(text_ops) if compress else text_ops
    filter_ = b"/Filter /FlateDecode " if compress else b""
    return make_pdf(
        extra_objects=[
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< " + filter_ + b"/Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Title " + info_title + b" /Producer (Handskrivet) >>",
        ],
        page_extra=b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R",
    )


def test_a_weasyprint_letter_that_mentions_js_paths_passes():
    html = (
        "<title>Kurs i /JavaScript och /JS</title>"
        "<h1>Filerna ligger i C:/JS/kurs</h1>"
        "<h2>Kapitel 2: /JavaScript (/JS) for beginners</h2>"
        '<p>Se <a href="https://example.org/JS/JavaScript/">C:/JS/ och /JavaScript</a>.</p>'
    )
    data = html_to_pdf(html, stylesheet="css/portal.css")
    # the title, the bookmarks and the link are literal strings (in a compressed object stream)
    # that a plain scan took for names
    assert names_seen_by_a_plain_scan(data) == {b"JS", b"JavaScript"}
    f = upload(data)
    assert pdf_has_active_content(f) is False
    check_pdf(f)  # no exception
    assert f.tell() == 0


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "flate"])
def test_text_shown_in_a_content_stream_passes(compress):
    ops = (
        b"BT /F1 12 Tf 20 150 Td (Filerna ligger i C:/JS/kurs) Tj 0 -14 Td "
        b"[(Kurs i /JavaScript) -250 (\\(/JS\\)) 120 (C:\\\\JS\\\\/JS)] TJ ET"
    )
    data = content_stream_pdf(ops, compress=compress, info_title=b"(Kurs i /JavaScript, C:/JS/)")
    assert names_seen_by_a_plain_scan(ops) == {b"JS", b"JavaScript"}
    check_pdf(upload(data))


@pytest.mark.parametrize(
    "action",
    [
        # the text mention is let through, the real action next to it is not
        b"<< /Title (C:/JS/kurs) " + ACTION + b" >>",
        b"<< /Title (/JavaScript)" + ACTION.replace(b" ", b"") + b">>",
        b"<< /Title (C:/JS) /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        b"<< /Type /Filespec /F (C:/JS/a.exe) /EF << /F 5 0 R >> /Type /EmbeddedFile >>",
        # the key after an unclosed string: a reader that gives up on the string still sees the key
        b"<< /T (\\) " + ACTION + b" >>",
        # "obj" restarts the tokenizer inside the string; then ")" sits in a comment for the
        # tokenizer but closes the string for a reader, and "(" sits in a reader's hex string
        b"<< /T (a 9 0 obj % ) <\n( > " + ACTION + b" >> )",
        # a hex string that hides a "(" from a reader but not from a naive tokenizer
        b"<< /T <( > " + ACTION + b" >> )",
        # "\\(" does not nest: the string ends after "b", the key that follows is a key
        b"<< /T (a (q) \\(b) " + ACTION + b" ) >>",
        # a string with a line break or a dictionary inside is not taken for text
        b"<< /T (x\n" + ACTION + b") /S /GoTo >>",
        b"<< /T (<< " + ACTION + b" >>) >>",
    ],
    ids=[
        "text-and-key",
        "no-spaces",
        "hex-escaped-key",
        "embedded-file",
        "unclosed-string",
        "comment-and-obj-keyword",
        "hex-string",
        "escaped-parenthesis",
        "line-break-in-string",
        "dictionary-in-string",
    ],
)
def test_the_real_key_is_still_refused(action):
    f = upload(make_pdf(b"/OpenAction 4 0 R", extra_objects=[action]))
    assert pdf_has_active_content(f) is True
    with pytest.raises(UploadRejected) as exc:
        check_pdf(f)
    assert exc.value.code == "pdf_active_content"


def test_binary_stream_data_with_an_open_parenthesis_does_not_hide_the_next_object():
    data = make_pdf(
        b"/OpenAction 5 0 R",
        extra_objects=[b"<< /Length 4 >>\nstream\n((((\nendstream", b"<< " + ACTION + b" >>", b"(a))))"],
    )
    assert pdf_has_active_content(upload(data)) is True


def test_an_object_stream_cannot_open_a_string_in_one_object_and_hide_the_key_in_the_next():
    # a reader parses object 5 from its offset; a scan from the start of the stream is still in
    # the "(" of object 4 when it reaches it
    objects = [b"(", b"<< % ) (\n " + ACTION + b" >>", b")"]
    body = b""
    offsets = []
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    head = b"4 %d 5 %d 6 %d " % tuple(offsets)
    compressed = zlib.compress(head + body)
    header = b"<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>" % (len(head), len(compressed))
    data = make_pdf(b"/OpenAction 5 0 R", raw_objects=[(header, compressed)])
    assert b"JavaScript" not in data
    assert pdf_has_active_content(upload(data)) is True


def test_a_name_drawn_as_an_operand_in_a_content_stream_is_still_refused():
    # not text: "/JS" here is a name token (a resource name), which the check does not tell apart
    data = content_stream_pdf(b"q /JS Do Q", compress=True)
    assert pdf_has_active_content(upload(data)) is True


def test_text_with_nested_parentheses_passes():
    ops = b"BT /F1 12 Tf 20 150 Td (Kurs (/JS) i C:/JS \\(/JavaScript\\)) Tj ET"
    check_pdf(upload(content_stream_pdf(ops, compress=False)))


def test_very_many_names_in_nested_text_are_refused_rather_than_looked_up_forever(monkeypatch):
    monkeypatch.setattr(uploads, "PDF_MAX_NESTED_TEXT_NAMES", 3)
    ops = b"BT /F1 12 Tf " + b"0 -12 Td (Kurs (/JS) i C:/JS) Tj " * 3 + b"ET"
    assert pdf_has_active_content(upload(content_stream_pdf(ops, compress=False))) is False
    ops = b"BT /F1 12 Tf " + b"0 -12 Td (Kurs (/JS) i C:/JS) Tj " * 4 + b"ET"
    assert pdf_has_active_content(upload(content_stream_pdf(ops, compress=False))) is True
