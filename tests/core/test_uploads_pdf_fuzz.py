"""omstallning.core.uploads against a real PDF reader's lexer: whenever pypdf reads a dictionary
in which an active name (/JS, /JavaScript, …) is a key or a value, the check refuses it, however
strings, escapes, comments, hex strings and keywords are mixed around it. (The other direction,
text that is let through, is covered by test_uploads_pdf_text.py.)"""

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf.errors import PdfReadError, PdfStreamError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, read_object

from omstallning.core import uploads

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
def test_a_key_the_reader_sees_is_refused(before, head, tail):
    """The reader parses the dictionary from its own offset (as it does an object in an object
    stream or one found through the xref table); the check scans everything before it too."""
    obj = b"<< " + head + b" " + tail + b" >>"
    if active_names_a_reader_sees(obj):
        data = before + b" " + obj + b" " + before
        assert uploads._pdf_names_active(data), data
