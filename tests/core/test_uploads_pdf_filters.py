"""omstallning.core.uploads: streams are decoded by their declared /Filter chain and /DecodeParms
before they are scanned, so JavaScript in an object stream encoded with ASCIIHex, ASCII85, LZW,
RunLength, a Flate predictor or a chain of them is refused; what cannot be decoded safely (an
unknown filter, an indirect /Filter or /DecodeParms, an image filter on an object stream, a
dictionary that cannot be read) is refused too; harmless pages with such streams pass."""

import base64
import binascii
import io
import struct
import zlib

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf._codecs._codecs import LzwCodec

from omstallning.core import uploads
from omstallning.core.uploads import UploadRejected, check_pdf, pdf_has_active_content
from tests.core.test_uploads_pdf import make_pdf

HIDDEN = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
OBJSTM_BODY = b"4 0 " + HIDDEN


def upload(data: bytes):
    return SimpleUploadedFile("bilaga.pdf", data, content_type="application/pdf")


def png_predicted(data: bytes, columns: int, row_filter: int) -> bytes:
    """PNG predictor rows (Sub = 1, Up = 2) for one colour, 8 bits, `columns` bytes a row."""
    data += b" " * (-len(data) % columns)
    out, previous = bytearray(), bytes(columns)
    for at in range(0, len(data), columns):
        row = data[at : at + columns]
        if row_filter == 1:
            coded = bytes((row[i] - (row[i - 1] if i else 0)) & 0xFF for i in range(columns))
        else:
            coded = bytes((row[i] - previous[i]) & 0xFF for i in range(columns))
        out += bytes([row_filter]) + coded
        previous = row
    return bytes(out)


def run_length(data: bytes) -> bytes:
    """RunLength with literal runs of one byte each: the text does not appear as it is."""
    return b"".join(b"\x00" + data[i : i + 1] for i in range(len(data))) + b"\x80"


def hex_(data: bytes) -> bytes:
    return binascii.hexlify(data) + b">"


def a85(data: bytes) -> bytes:
    return base64.a85encode(data, wrapcol=64) + b"~>"


# (id, dictionary entries, encoder): each decodes to the original in a PDF reader; pypdf 7
# refuses the abbreviated names (/AHx, /A85, /Fl, /RL) outside inline images, other readers
# (pdf.js) accept them, so they are decoded too
ENCODINGS = [
    ("asciihex", b"/Filter /ASCIIHexDecode", hex_),
    ("asciihex-abbreviated", b"/Filter /AHx", hex_),
    ("asciihex-hex-escaped-name", b"/Filter /ASCIIHex#44ecode", hex_),
    ("ascii85", b"/Filter /ASCII85Decode", a85),
    ("asciihex-then-flate", b"/Filter [/ASCIIHexDecode /FlateDecode]", lambda d: hex_(zlib.compress(d))),
    (
        "ascii85-then-flate",
        b"/Filter [/ASCII85Decode /FlateDecode] /DecodeParms [null null]",
        lambda d: a85(zlib.compress(d)),
    ),
    ("abbreviated-chain", b"/Filter [/A85 /Fl]", lambda d: a85(zlib.compress(d))),
    (
        "flate-png-sub-predictor",
        b"/Filter /FlateDecode /DecodeParms << /Predictor 10 /Columns 3 >>",
        lambda d: zlib.compress(png_predicted(d, 3, 1)),
    ),
    (
        "flate-png-up-predictor",
        b"/Filter [/FlateDecode] /DecodeParms [<< /Predictor 12 /Columns 5 >>]",
        lambda d: zlib.compress(png_predicted(d, 5, 2)),
    ),
    ("lzw", b"/Filter /LZWDecode", lambda d: LzwCodec().encode(d)),
    ("runlength", b"/Filter /RunLengthDecode", run_length),
    ("runlength-then-flate", b"/Filter [/RunLengthDecode /FlateDecode]", lambda d: run_length(zlib.compress(d))),
]
PYPDF_REFUSES = {"asciihex-abbreviated", "abbreviated-chain"}
CASES = [pytest.param(entries, encode, id in PYPDF_REFUSES, id=id) for id, entries, encode in ENCODINGS]


def objstm_pdf(entries: bytes, encoded: bytes, length: bytes | None = None) -> bytes:
    length = length if length is not None else b"%d" % len(encoded)
    header = b"<< /Type /ObjStm /N 1 /First 4 " + entries + b" /Length " + length + b" >>"
    return make_pdf(b"/OpenAction 4 0 R", raw_objects=[(header, encoded)])


def decoded_by_pypdf(data: bytes, number: int) -> bytes:
    return pypdf.PdfReader(io.BytesIO(data)).get_object(number).get_data()


@pytest.mark.parametrize(("entries", "encode", "pypdf_refuses"), CASES)
def test_javascript_in_an_encoded_object_stream_is_refused(entries, encode, pypdf_refuses):
    data = objstm_pdf(entries, encode(OBJSTM_BODY))
    assert b"JavaScript" not in data and b"/JS" not in data
    if not pypdf_refuses:  # a reader decodes it to the hidden action (pypdf here)
        assert decoded_by_pypdf(data, 4).rstrip(b" ") == OBJSTM_BODY
    f = upload(data)
    assert pdf_has_active_content(f) is True
    with pytest.raises(UploadRejected) as exc:
        check_pdf(f)
    assert exc.value.code == "pdf_active_content"
    assert f.tell() == 0


@pytest.mark.parametrize("length", [b"9 0 R", b"10", b"-1"], ids=["indirect", "too-short", "negative"])
def test_a_false_or_indirect_length_does_not_cut_off_the_decoding(length):
    # the decoders run to their end-of-data marker when /Length does not end at "endstream"
    data = objstm_pdf(b"/Filter /ASCIIHexDecode", hex_(OBJSTM_BODY), length=length)
    assert pdf_has_active_content(upload(data)) is True


def flate_with_a_stored_prefix(prefix: bytes, rest: bytes) -> bytes:
    """A zlib stream whose first block is stored (its bytes appear as they are) and whose second
    is compressed."""
    stored = b"\x00" + struct.pack("<HH", len(prefix), len(prefix) ^ 0xFFFF) + prefix
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = deflate.compress(rest) + deflate.flush()
    return b"\x78\x9c" + stored + compressed + struct.pack(">I", zlib.adler32(prefix + rest))


def test_endstream_inside_the_data_with_an_indirect_length_does_not_hide_the_rest():
    # a reader takes /Length bytes (object 9 says how many); the scan does not stop at the
    # "endstream" inside the compressed data either
    encoded = flate_with_a_stored_prefix(b"%\nendstream\nendobj\n", OBJSTM_BODY)
    assert b"endstream" in encoded and b"JavaScript" in zlib.decompress(encoded)
    data = objstm_pdf(b"/Filter /FlateDecode", encoded, length=b"9 0 R")
    assert pdf_has_active_content(upload(data)) is True


def test_both_readings_of_a_dictionary_with_an_object_header_in_a_string_are_decoded():
    # From "5 0 obj" the dictionary says ASCIIHex (the "9 0 obj …" is a string); from "9 0 obj"
    # it says Flate (the ")" is in a comment). Both are read to the "stream" keyword.
    header = b"<< /Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode /T (9 0 obj << /Filter /FlateDecode %)\n>>"
    data = make_pdf(b"/OpenAction 4 0 R", raw_objects=[(header, hex_(OBJSTM_BODY))])
    assert pdf_has_active_content(upload(data)) is True


@pytest.mark.parametrize(
    ("entries", "extra"),
    [
        (b"/Filter 6 0 R", [b"/FlateDecode"]),
        (b"/Filter [6 0 R]", [b"/FlateDecode"]),
        (b"/Filter /FlateDecode /DecodeParms 6 0 R", [b"<< /Predictor 10 /Columns 3 >>"]),
        (b"/Filter /FlateDecode /DecodeParms << /Predictor 6 0 R /Columns 3 >>", [b"10"]),
        (b"/Filter /BrotliDecode", []),
        (b"/Filter /NoSuchDecode", []),
        (b"/Filter /Crypt", []),
        (b"/Filter (FlateDecode)", []),
        (b"/Filter /DCTDecode", []),
        (b"/Filter [/FlateDecode /JBIG2Decode]", []),
        (b"/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>", []),
        (b"/Filter /FlateDecode /DecodeParms << /Predictor 7 >>", []),
        (b"/Filter /ASCIIHexDecode /Filter /FlateDecode", []),
        (b"/Filter /ASCIIHexDecode /T (unclosed", []),
    ],
    ids=[
        "indirect-filter",
        "indirect-filter-in-array",
        "indirect-decodeparms",
        "indirect-predictor",
        "brotli",
        "unknown",
        "crypt",
        "filter-not-a-name",
        "image-filter-on-object-stream",
        "image-filter-in-chain-on-object-stream",
        "lzw-early-change-0",
        "unknown-predictor",
        "filter-given-twice",
        "unreadable-dictionary",
    ],
)
def test_a_stream_that_cannot_be_decoded_safely_is_refused(entries, extra):
    header = b"<< /Type /ObjStm /N 1 /First 4 " + entries + b" /Length %d >>"
    encoded = zlib.compress(OBJSTM_BODY)
    # objects 4 and 5 are fillers, `extra` is object 6 (what "6 0 R" points at)
    data = make_pdf(extra_objects=[b"null", b"null", *extra], raw_objects=[(header % len(encoded), encoded)])
    f = upload(data)
    assert pdf_has_active_content(f) is True
    with pytest.raises(UploadRejected) as exc:
        check_pdf(f)
    assert exc.value.code == "pdf_uninspectable"
    assert "kan kontrolleras för aktivt innehåll" in str(exc.value.message)  # Swedish by default
    with translation.override("en"):
        assert "cannot be checked" in str(exc.value.message)


PAGE_TEXT = b"BT /F1 12 Tf 20 150 Td (Hej! Filerna ligger i C:/JS/kurs) Tj ET"


def page_pdf(entries: bytes, encoded: bytes) -> bytes:
    return make_pdf(
        extra_objects=[
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< " + entries + b" /Length %d >>\nstream\n" % len(encoded) + encoded + b"\nendstream",
        ],
        page_extra=b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R",
    )


@pytest.mark.parametrize(("entries", "encode", "pypdf_refuses"), CASES)
def test_a_page_whose_text_is_in_an_encoded_stream_passes(entries, encode, pypdf_refuses):
    data = page_pdf(entries, encode(PAGE_TEXT))
    if not pypdf_refuses:  # a real page: pypdf reads the text
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert "Hej! Filerna ligger i C:/JS/kurs" in reader.pages[0].extract_text()
    f = upload(data)
    assert pdf_has_active_content(f) is False
    check_pdf(f)  # no exception


def test_an_image_is_not_decoded():
    # JPEG data (not decoded: pixels cannot hold PDF objects) and a Flate image whose pixels
    # happen to spell an active name both pass
    image = b"<< /Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 8 "
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
    pixels = zlib.compress(b"/JavaScript/JS")
    data = make_pdf(
        raw_objects=[
            (image + b"/Filter /DCTDecode /Length %d >>" % len(jpeg), jpeg),
            (image + b"/Filter /FlateDecode /Length %d >>" % len(pixels), pixels),
        ]
    )
    check_pdf(upload(data))


@pytest.mark.parametrize("keys", [b"/N 1", b"/First 4", b"/Type /ObjStm"])
def test_an_image_with_a_key_of_an_object_stream_is_decoded(keys):
    encoded = zlib.compress(OBJSTM_BODY)
    header = b"<< /Subtype /Image " + keys + b" /Filter /FlateDecode /Length %d >>"
    data = make_pdf(raw_objects=[(header % len(encoded), encoded)])
    assert pdf_has_active_content(upload(data)) is True


def test_an_image_filter_on_an_object_stream_that_claims_to_be_an_image_is_refused():
    header = b"<< /Subtype /Image /N 1 /First 4 /Filter /DCTDecode /Length %d >>"
    data = make_pdf(raw_objects=[(header % len(OBJSTM_BODY), OBJSTM_BODY)])
    with pytest.raises(UploadRejected) as exc:
        check_pdf(upload(data))
    # the raw bytes hold the action in plain text here
    assert exc.value.code in {"pdf_active_content", "pdf_uninspectable"}
    encoded = hex_(OBJSTM_BODY)
    header = b"<< /Subtype /Image /N 1 /First 4 /Filter [/AHx /DCTDecode] /Length %d >>"
    data = make_pdf(raw_objects=[(header % len(encoded), encoded)])
    with pytest.raises(UploadRejected) as exc:
        check_pdf(upload(data))
    assert exc.value.code == "pdf_uninspectable"


@pytest.mark.parametrize(
    "encode", [hex_, a85, run_length, lambda d: LzwCodec().encode(d)], ids=["ahx", "a85", "rl", "lzw"]
)
def test_each_decoder_is_held_to_the_stream_limit(monkeypatch, encode):
    monkeypatch.setattr(uploads, "PDF_MAX_DECODED_STREAM", 4096)
    big = PAGE_TEXT + b" " * 5000
    data = page_pdf(
        {hex_: b"/Filter /AHx", a85: b"/Filter /A85", run_length: b"/Filter /RL"}.get(encode, b"/Filter /LZW"),
        encode(big),
    )
    with pytest.raises(UploadRejected) as exc:
        check_pdf(upload(data))
    assert exc.value.code == "pdf_too_large"


def test_a_stream_keyword_inside_a_string_of_the_dictionary_does_not_hide_the_real_stream():
    # the dictionary is read past the "stream" in its /T string, up to the real keyword
    encoded = hex_(OBJSTM_BODY)
    header = b"<< /Type /ObjStm /N 1 /First 4 /T (a\nstream\nb) /Filter /ASCIIHexDecode /Length %d >>"
    data = make_pdf(b"/OpenAction 4 0 R", raw_objects=[(header % len(encoded), encoded)])
    assert decoded_by_pypdf(data, 4) == OBJSTM_BODY
    assert pdf_has_active_content(upload(data)) is True


def test_a_dictionary_longer_than_the_limit_with_stream_keywords_in_it_is_refused():
    encoded = hex_(OBJSTM_BODY)
    padding = b"x" * (uploads.PDF_MAX_STREAM_DICT + 10)
    header = b"<< /Type /ObjStm /N 1 /First 4 /T (a\nstream\n" + padding + b") /Filter /AHx /Length %d >>"
    data = make_pdf(b"/OpenAction 4 0 R", raw_objects=[(header % len(encoded), encoded)])
    with pytest.raises(UploadRejected) as exc:
        check_pdf(upload(data))
    assert exc.value.code == "pdf_uninspectable"


def test_many_small_streams_pass():
    pages = [zlib.compress(b"BT /F1 12 Tf 20 150 Td (Sida %d) Tj ET" % i) for i in range(300)]
    data = make_pdf(raw_objects=[(b"<< /Filter /FlateDecode /Length %d >>" % len(p), p) for p in pages])
    check_pdf(upload(data))


def test_a_reader_that_decodes_fewer_filters_than_listed_is_covered():
    # pypdf pairs filters with /DecodeParms entries and stops at the shorter list: here it
    # decodes ASCIIHex only, and the action is in that output (the Flate step would fail)
    data = objstm_pdf(b"/Filter [/ASCIIHexDecode /FlateDecode] /DecodeParms [null]", hex_(OBJSTM_BODY))
    assert decoded_by_pypdf(data, 4) == OBJSTM_BODY
    assert pdf_has_active_content(upload(data)) is True


@pytest.mark.parametrize(
    "entries",
    [
        b"/Filter /JBIG2Decode /DecodeParms << /JBIG2Globals 9 0 R >>",
        b"/Filter [/FlateDecode /DCTDecode] /DecodeParms 9 0 R",
        b"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Columns 9 0 R >>",
    ],
    ids=["jbig2-globals", "dct-indirect-parms", "flate-image-indirect-parms"],
)
def test_an_image_may_have_indirect_decode_parms(entries):
    image = b"<< /Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 1 "
    pixels = b"\x97\x4a\x42\x32\x0d\x0a\x1a\x0a" + b"\x00" * 32
    data = make_pdf(raw_objects=[(image + entries + b" /Length %d >>" % len(pixels), pixels)])
    check_pdf(upload(data))


@pytest.mark.parametrize(
    ("before_dictionary", "after_keyword"),
    [(b"% a comment\n", b""), (b"", b" % a comment")],
    ids=["comment-after-obj", "comment-after-stream"],
)
def test_comments_around_the_dictionary_do_not_hide_the_stream(before_dictionary, after_keyword):
    encoded = hex_(OBJSTM_BODY)
    header = b"<< /Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode /Length %d >>" % len(encoded)
    data = make_pdf(b"/OpenAction 4 0 R", raw_objects=[(header, encoded)])
    data = data.replace(b"4 0 obj\n<<", b"4 0 obj\n" + before_dictionary + b"<<")
    data = data.replace(b">>\nstream\n", b">>\nstream" + after_keyword + b"\n")
    with pytest.raises(UploadRejected) as exc:
        check_pdf(upload(data))
    assert exc.value.code == "pdf_active_content"  # decoded, not just refused as unreadable


def test_a_weasyprint_pdf_with_an_image_passes():
    # the image is a Flate stream with a PNG predictor and /Subtype /Image: not decoded
    from weasyprint import HTML

    width, height = 300, 200
    raw = b"".join(b"\x00" + bytes((x * 7 + y * 3) & 0xFF for x in range(width * 3)) for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    data = HTML(string=f'<h1>Bild</h1><img src="{src}"><p>Filerna ligger i C:/JS/kurs</p>').write_pdf()
    assert b"/Subtype /Image" in data
    check_pdf(upload(data))


@pytest.mark.parametrize(
    ("entries", "encode"),
    [
        (b"/Filter /LZWDecode", lambda d: LzwCodec().encode(d)),
        (
            b"/Filter /FlateDecode /DecodeParms << /Predictor 14 /Columns 5 >>",
            lambda d: zlib.compress(png_predicted(d, 5, 1)),
        ),
    ],
    ids=["lzw", "predictor"],
)
def test_pure_python_decoding_is_held_to_its_own_smaller_limit(monkeypatch, entries, encode):
    # pypdf's LZW and predictor code is slow on purpose-made data: at most PDF_MAX_SLOW_DECODED
    monkeypatch.setattr(uploads, "PDF_MAX_SLOW_DECODED", 4096)
    check_pdf(upload(page_pdf(entries, encode(PAGE_TEXT + b" " * 3000))))
    with pytest.raises(UploadRejected) as exc:
        check_pdf(upload(page_pdf(entries, encode(PAGE_TEXT + b" " * 5000))))
    assert exc.value.code == "pdf_too_large"
