"""omstallning.core.uploads against a real PDF reader's lexer: whenever pypdf reads a dictionary
in which an active name (/JS, /JavaScript, …) is a key or a value, the check refuses it, however
strings, escapes, comments, hex strings and keywords are mixed around it. (The other direction,
text that is let through, is covered by test_uploads_pdf_text.py.)"""

import base64
import binascii
import io
import zlib

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf._codecs._codecs import LzwCodec
from pypdf.errors import PdfReadError, PdfStreamError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, read_object

from omstallning.core import uploads
from tests.core.test_uploads_pdf_filters import HIDDEN, objstm_pdf, png_predicted, run_length

FRAGMENTS = [
    b"(", b")", b"\\", b"\\(", b"\\)", b"<", b">", b"<<", b">>", b"%", b"\n", b"\r", b" ", b"[", b"]",
    b"/S", b"/T", b"/JS", b"/JavaScript", b"/J#53", b"/Launch", b"(C:/JS/kurs)", b"(x)", b"obj",
    b"endobj", b"stream\n", b"1", b"0 0 R", b"41", b"x", b"\\\\", b"{", b"}", b"\t", b"\f", b"\0",
]  # fmt: skip
body = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(lambda parts: b" ".join(parts))
joined = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(b"".join)


def active_names_a_reader_sees(data: bytes) -> set:
    """Active names that pypdf reads as a key or a value of the dictionary at the start of data."""
    try:
        obj = read_object(io.BytesIO(data), None)
    except (PdfReadError, PdfStreamError, ValueError, KeyError, IndexError, TypeError, RecursionError):
        return set()
    found = set()

    def walk(value):
        if isinstance(value, DictionaryObject):
            for key, item in value.items():
                found.add(str(key)[1:].encode())
                walk(item)
        elif isinstance(value, ArrayObject):
            for item in value:
                walk(item)
        elif isinstance(value, NameObject):
            found.add(str(value)[1:].encode())

    walk(obj)
    return found & uploads.PDF_ACTIVE_NAMES


@settings(max_examples=3000, deadline=None)
@given(before=st.one_of(body, joined), head=st.one_of(body, joined), tail=st.one_of(body, joined))
@example(before=b"(", head=b"% ) (\n /S /JavaScript", tail=b"/JS (x) >> )")
@example(before=b"", head=b"/T (a (q) \\(b) /S /JavaScript", tail=b"/JS (x) )")
@example(before=b"", head=b"\\(", tail=b"/S /JS )")  # pypdf skips "\(" here
@example(before=b"", head=b")(", tail=b"/S /JS )")  # and ")(", up to the next white space
def test_a_key_the_reader_sees_is_refused(before, head, tail):
    """The reader parses the dictionary from its own offset (as it does an object in an object
    stream or one found through the xref table); the check scans everything before it too."""
    obj = b"<< " + head + b" " + tail + b" >>"
    if active_names_a_reader_sees(obj):
        data = before + b" " + obj + b" " + before
        assert uploads._pdf_names_active(data), data


# filter chains: (name in /Filter, its /DecodeParms, encoder)
FILTERS = [
    (b"/ASCIIHexDecode", b"null", lambda d: binascii.hexlify(d) + b">"),
    (b"/ASCII85Decode", b"null", lambda d: base64.a85encode(d) + b"~>"),
    (b"/FlateDecode", b"null", zlib.compress),
    (b"/FlateDecode", b"<< /Predictor 12 /Columns 4 >>", lambda d: zlib.compress(png_predicted(d, 4, 2))),
    (b"/LZWDecode", b"null", lambda d: LzwCodec().encode(d)),
    (b"/RunLengthDecode", b"null", run_length),
]


@settings(max_examples=200, deadline=None)
@given(chain=st.lists(st.sampled_from(FILTERS), min_size=1, max_size=3), padding=st.binary(max_size=40))
def test_javascript_behind_any_chain_of_filters_is_refused(chain, padding):
    """The filters applied in reverse order, listed in decode order, as a reader decodes them."""
    body = b"4 0 " + HIDDEN + b" %" + padding.replace(b"\n", b"").replace(b"\r", b"")
    encoded = body
    for _name, _parms, encode in reversed(chain):
        encoded = encode(encoded)
    names = b" ".join(name for name, _parms, _encode in chain)
    parms = b" ".join(parms for _name, parms, _encode in chain)
    data = objstm_pdf(b"/Filter [" + names + b"] /DecodeParms [" + parms + b"]", encoded)
    assert uploads.pdf_has_active_content(io.BytesIO(data)) is True
