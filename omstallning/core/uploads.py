"""Upload safety: virus scanning with ClamAV (clamd), a zip-bomb guard for XLSX/zip files and a
check for active content (JavaScript, embedded files…) in PDF files.

Usage in an app's service (before anything is stored or extracted)::

    from omstallning.core.uploads import UploadRejected, check_pdf, check_zip_archive, scan_upload

    try:
        scan_upload(uploaded_file)                 # ClamAV when configured, else a no-op
        check_zip_archive(uploaded_file)           # XLSX is a zip: limits before extraction
        check_pdf(uploaded_file)                   # a PDF without scripts, embedded files, encryption
    except UploadRejected as exc:
        form.add_error("file", exc.message)        # a clear, translated message

All leave the file's read position at the start.
"""

import bisect
import io
import logging
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Documented limits (docs/security.md): an XLSX of statistics unpacks to at most 200 MiB, holds
# at most 1,000 parts, and no part may be compressed more than 200 times.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_FILES = 1000
_CHUNK = 1024 * 1024


class UploadRejected(ValueError):
    """The upload is refused; `code` is stable for tests and logs, `message` is for the user."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


class ScannerUnavailable(RuntimeError):
    """clamd is configured but does not answer: the upload must not be accepted unscanned."""


@dataclass(frozen=True)
class ScanResult:
    status: str  # "clean", "skipped" (no scanner configured)
    scanner: str = ""


def _scanner():
    import clamd

    if settings.CLAMD_SOCKET:
        return clamd.ClamdUnixSocket(path=settings.CLAMD_SOCKET, timeout=settings.CLAMD_TIMEOUT)
    if settings.CLAMD_HOST:
        return clamd.ClamdNetworkSocket(
            host=settings.CLAMD_HOST, port=settings.CLAMD_PORT, timeout=settings.CLAMD_TIMEOUT
        )
    return None


def scanning_configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def scan_upload(file) -> ScanResult:
    """Streams the file to clamd (INSTREAM). Raises UploadRejected("virus") for an infected file
    and ScannerUnavailable when clamd is configured but unreachable. Without CLAMD_SOCKET or
    CLAMD_HOST it returns status "skipped" (development and tests)."""
    scanner = _scanner()
    if scanner is None:
        return ScanResult(status="skipped")
    import clamd

    file.seek(0)
    try:
        result = scanner.instream(file)
    except (clamd.ConnectionError, OSError) as exc:
        raise ScannerUnavailable("clamd did not answer") from exc
    finally:
        file.seek(0)
    status, signature = result.get("stream", ("ERROR", "no answer"))
    if status == "FOUND":
        logger.warning("upload refused: virus signature %s", signature)
        raise UploadRejected("virus", _("The file contains a virus or other malicious code and was not accepted."))
    if status != "OK":
        raise ScannerUnavailable(f"clamd answered {status}")
    return ScanResult(status="clean", scanner="clamd")


def check_zip_archive(file, max_uncompressed=MAX_UNCOMPRESSED, max_ratio=MAX_RATIO, max_files=MAX_FILES) -> int:
    """Refuses a zip (XLSX, DOCX, …) before extraction when it declares more than `max_files`
    parts, more than `max_uncompressed` bytes in total, or a part compressed more than
    `max_ratio` times; then decompresses it as a stream, without storing anything, to make sure
    the declared sizes are not a lie (stopping as soon as a limit is passed).

    Returns the total uncompressed size. Raises UploadRejected with code "zip_invalid",
    "zip_too_many_files", "zip_too_large", "zip_ratio" or "zip_encrypted"."""
    file.seek(0)
    try:
        try:
            archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UploadRejected("zip_invalid", _("The file is not a valid XLSX or zip file.")) from exc
        with archive:
            members = archive.infolist()
            if len(members) > max_files:
                raise UploadRejected(
                    "zip_too_many_files", _("The file has too many parts (at most %(max)d).") % {"max": max_files}
                )
            declared = 0
            for info in members:
                if info.flag_bits & 0x1:
                    raise UploadRejected("zip_encrypted", _("Password-protected files are not accepted."))
                declared += info.file_size
                if declared > max_uncompressed:
                    raise UploadRejected("zip_too_large", _too_large(max_uncompressed))
                if info.file_size > max(info.compress_size, 1) * max_ratio:
                    raise UploadRejected(
                        "zip_ratio", _("The file is compressed suspiciously hard and was not accepted.")
                    )
            # The central directory may lie: count what really comes out, with the same limits.
            actual = 0
            for info in members:
                produced = 0
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        produced += len(chunk)
                        actual += len(chunk)
                        if actual > max_uncompressed:
                            raise UploadRejected("zip_too_large", _too_large(max_uncompressed))
                        if produced > max(info.compress_size, 1) * max_ratio:
                            raise UploadRejected(
                                "zip_ratio", _("The file is compressed suspiciously hard and was not accepted.")
                            )
            return actual
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UploadRejected("zip_invalid", _("The file is not a valid XLSX or zip file.")) from exc
    finally:
        file.seek(0)


def _too_large(limit):
    return _("The file unpacks to more than %(mib)d MiB.") % {"mib": limit // (1024 * 1024)}


# --- PDF: active content ------------------------------------------------------------------------
# PDF names of active content: scripts, launched programs, embedded files and media, XFA forms
# (which run scripts) and actions that send data or open other documents.
PDF_ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
        b"SubmitForm",
        b"ImportData",
        b"GoToE",
    }
)
# A name is "/" and regular characters; "#xx" is a hex escape (ISO 32000-1, 7.3.5), so
# "/J#61vaScript" is the name JavaScript.
_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9_.\-]|#[0-9A-Fa-f]{2})+)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_ENCRYPT = re.compile(rb"/Encrypt(?![A-Za-z0-9])")
PDF_MAX_INFLATED = 64 * 1024 * 1024  # decompressed stream bytes inspected per file, in total
PDF_MAX_STREAMS = 10_000
# Names in text with nested parentheses, "(Kurs (/JS) i C:/JS)", are looked up one by one: past
# this many in one buffer the file is refused (no letter mentions /JS that often).
PDF_MAX_NESTED_TEXT_NAMES = 10_000

# --- text in literal strings is not a name ----------------------------------------------------
# A letter may mention "C:/JS/..." or a course in "/JavaScript": in the file that text is inside a
# literal string "( … )" (a title, a link, text shown by Tj/TJ in a content stream), which a PDF
# reader never takes for a dictionary key. An active name is therefore let through only when it
# lies inside a literal string that is *safe*: closed within its object, holding none of "<",
# ">", CR or LF, and whose "(" follows white space (or one "[" after white space): pypdf, for one,
# skips a token it cannot read up to the next white space ("\(", ")(", "x(" between dictionary
# entries), so a "(" in the middle of such a run may not open a string. Then every reader lexes the span as we do,
# whatever state it was in at the "(":
#   * in a dictionary (syntax): "(" opens a string; nesting and backslash escapes inside are
#     the same for every reader, so it is still in that string at the name;
#   * already in a string: one level deeper, again still in a string at the name;
#   * in a comment: only CR/LF ends it; in a hex string: only ">" ends it; neither is in the span;
#   * in stream data, or at the start of an object it reads from an offset (xref, object
#     stream): a dictionary needs "<<", which is not in the span.
# So a name that a reader could use as a key is never let through, however the file is built
# (object streams, broken lengths, comments and hex strings meant to confuse a tokenizer). Hex
# strings and comments are never let through: valid hex strings hold no "/", and comments are
# rare enough not to matter.
# The tokenizer below only finds where literal strings start; it restarts after each
# obj/endobj/stream/endstream keyword, so binary stream data cannot swallow later objects.
_PDF_RESTART = re.compile(rb"\b(?:end)?(?:stream|obj)\b")
_PDF_SYNTAX_MARK = re.compile(rb"[(%<]")
_PDF_STRING_MARK = re.compile(rb"[()\\]")
_PDF_EOL = re.compile(rb"[\r\n]")
_PDF_UNSAFE_IN_STRING = re.compile(rb"[<>\r\n]")
# a safe literal string without nested parentheses (escaped ones are fine); possessive, so a
# string that is not closed costs one pass, not a backtracking storm
_PDF_WS = rb"\0\t\n\x0b\f\r "
# the "(" of a safe string starts a run of non-white bytes, or follows one "[" that does: pypdf
# skips a token it cannot read up to the next white space ("x(", ")(", "\\(", "/T(" after one),
# so a "(" in the middle of such a run may never open a string for it
# (the "(" first, then the look-behinds: a pattern that starts with "(" is searched fast)
_PDF_SAFE_OPENING = rb"\((?:(?<![^" + _PDF_WS + rb"]\()|(?<=\[\()(?<![^" + _PDF_WS + rb"]\[\())"
_PDF_FLAT_SAFE_STRING = re.compile(_PDF_SAFE_OPENING + rb"(?:[^()\\<>\r\n]++|\\[^<>\r\n])*+\)")
_PDF_SAFE_OPENING_AT = re.compile(_PDF_SAFE_OPENING)


def _pdf_literal_strings(data: bytes, start: int, end: int):
    """(open, close) positions of the outermost literal strings closed within data[start:end];
    comments and hex strings are skipped, so a "(" inside them does not open a string."""
    pos = start
    while True:
        mark = _PDF_SYNTAX_MARK.search(data, pos, end)
        if mark is None:
            return
        at = mark.start()
        char = data[at]
        if char == 0x25:  # % comment, up to the end of the line
            eol = _PDF_EOL.search(data, at + 1, end)
            if eol is None:
                return
            pos = eol.end()
            continue
        if char == 0x3C:  # "<<" a dictionary, "<" a hex string up to ">"
            if at + 1 < end and data[at + 1] == 0x3C:
                pos = at + 2
                continue
            close = data.find(b">", at + 1, end)
            if close < 0:
                return
            pos = close + 1
            continue
        depth, i = 1, at + 1  # "(": balanced parentheses, a backslash escapes the next byte
        while depth:
            inner = _PDF_STRING_MARK.search(data, i, end)
            if inner is None:
                return  # not closed within the object: not a safe string
            i = inner.end()
            char = data[inner.start()]
            if char == 0x5C:
                i += 1
            else:
                depth += 1 if char == 0x28 else -1
        yield at, i - 1
        pos = i


class _PdfStrings:
    """Answers "is position x inside a safe literal string?" for one buffer (the file or one
    inflated stream); tokenizes only the objects where an active name was found."""

    def __init__(self, data: bytes):
        self.data = data
        self.restarts = [0, *(m.end() for m in _PDF_RESTART.finditer(data))]
        self.spans = {}

    def _spans(self, index: int):
        if index not in self.spans:
            start = self.restarts[index]
            end = self.restarts[index + 1] if index + 1 < len(self.restarts) else len(self.data)
            self.spans[index] = list(_pdf_literal_strings(self.data, start, end))
        return self.spans[index]

    def safe_text_at(self, position: int) -> bool:
        spans = self._spans(bisect.bisect_right(self.restarts, position) - 1)
        found = bisect.bisect_right(spans, (position, len(self.data))) - 1
        if found < 0:
            return False
        opening, closing = spans[found]
        return (
            opening < position < closing
            and _PDF_SAFE_OPENING_AT.match(self.data, opening) is not None
            and _PDF_UNSAFE_IN_STRING.search(self.data, opening + 1, closing) is None
        )


def _pdf_active_names(data: bytes):
    """Start positions of the active names in `data`."""
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in PDF_ACTIVE_NAMES:
            yield match.start()


def _blank(match) -> bytes:
    return b" " * (match.end() - match.start())


def _pdf_names_active(data: bytes) -> bool:
    if next(_pdf_active_names(data), None) is None:
        return False  # the usual case: not even text that looks like an active name
    # Fast path for a page full of such text: blank the safe strings without a "(" or ")" inside
    # (any such span is safe by the reasoning above, wherever it starts) in one regex pass, and
    # look at what is left; strings with nested parentheses go through the tokenizer.
    blanked = _PDF_FLAT_SAFE_STRING.sub(_blank, data)
    strings = None
    for count, position in enumerate(_pdf_active_names(blanked)):
        if count >= PDF_MAX_NESTED_TEXT_NAMES:
            return True  # too much work for an upload: refused as if they were keys
        if strings is None:
            strings = _PdfStrings(data)
        if not strings.safe_text_at(position):
            return True
    return False


def _pdf_uninspectable():
    return UploadRejected(
        "pdf_uninspectable",
        _(
            "The PDF contains parts stored in an unusual way that cannot be checked for active "
            "content. Save it as a plain PDF and try again."
        ),
    )


def _pdf_too_large(limit):
    return UploadRejected("pdf_too_large", _too_large(limit))


# --- PDF: streams decoded by their declared filters ------------------------------------------
# A stream's data is decoded as a reader decodes it: by the /Filter chain and /DecodeParms of the
# dictionary in front of the "stream" keyword, so JavaScript in an object stream is found however
# it is encoded (Flate with or without a predictor, ASCIIHex, ASCII85, LZW, RunLength, chains).
# pypdf's decoders do the work (pypdf.filters), except Flate, which is inflated here in chunks so
# that a damaged tail does not hide what comes before it and the output limit holds while
# inflating. Image filters are not decoded (their output is pixels, not PDF objects); an image
# filter on an object stream, an unknown filter, an indirect /Filter or /DecodeParms, or a
# dictionary that cannot be read are refused ("pdf_uninspectable"), and so is a file whose
# streams decode to more than the limits ("pdf_too_large").
PDF_MAX_DECODED_STREAM = 32 * 1024 * 1024  # decoded bytes of one stream (each filter's output)
# LZW and predictors are decoded by pypdf in pure Python (about 1 s per MiB of LZW codes, 0.2 s
# per MiB of Paeth-predicted rows here): their output is held to a smaller limit per file (a
# purpose-made LZW stream costs at most about 1 s)
PDF_MAX_SLOW_DECODED = 1024 * 1024
# "stream", spaces (pypdf) or a comment (pdf.js skips to the end of the line), then CR LF, CR or LF
_PDF_STREAM_KEYWORD = re.compile(rb"stream(?<![A-Za-z0-9_.\-#/]stream)[ \t\f\0]*(?:%[^\r\n]*)?(?:\r\n|\r|\n)")
_PDF_OBJ_KEYWORD = re.compile(rb"obj(?![A-Za-z0-9])")
_PDF_OBJ_NUMBERS = re.compile(rb"(?<![0-9])[0-9]+[ \t\r\n\f\0]+[0-9]+[ \t\r\n\f\0]+\Z")
_PDF_TRAILING_SPACE = re.compile(rb"(?:[ \t\r\n\f\0]|%[^\r\n]*)*\Z")
_PDF_DICT_OPENING = re.compile(rb"(?:[ \t\r\n\f\0]|%[^\r\n]*)*<<")
_PDF_ENDSTREAM = re.compile(rb"[ \t\r\n\f\0]*endstream")
_PDF_HEX_DATA = re.compile(rb"[0-9A-Fa-f \t\r\n\f\0]*")
_PDF_A85_DATA = re.compile(rb"[!-uz \t\r\n\f\0]*")
# a stream dictionary with the text "stream" in its strings may be at most this long
PDF_MAX_STREAM_DICT = 64 * 1024
_PDF_FILTER_ALIASES = {
    "/Fl": "/FlateDecode",
    "/AHx": "/ASCIIHexDecode",
    "/A85": "/ASCII85Decode",
    "/LZW": "/LZWDecode",
    "/RL": "/RunLengthDecode",
    "/DCT": "/DCTDecode",
    "/CCF": "/CCITTFaxDecode",
}
_PDF_IMAGE_FILTERS = frozenset({"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"})
_PDF_TEXT_FILTERS = frozenset({"/FlateDecode", "/ASCIIHexDecode", "/ASCII85Decode", "/LZWDecode", "/RunLengthDecode"})


class _StrictNoReader:
    """Stands in for a PdfReader while pypdf reads one stream dictionary: indirect references
    are kept as references (pypdf drops them without a reader) and a key given twice is an
    error (strict), since readers disagree on which definition counts."""

    strict = True

    def get_object(self, reference):
        from pypdf.errors import PdfReadError

        raise PdfReadError("no reader: a reference is not followed")


class _Budget:
    def __init__(self, total: int):
        self.left = total
        self.total = total
        self.slow_left = PDF_MAX_SLOW_DECODED

    def take(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise _pdf_too_large(self.total)

    def take_slow(self, amount: int) -> None:
        self.slow_left -= amount
        if self.slow_left < 0:
            raise _pdf_too_large(PDF_MAX_SLOW_DECODED)

    def per_stream(self) -> int:
        return min(PDF_MAX_DECODED_STREAM, self.left)

    def too_large(self, limit: int):
        """The refusal for output past `limit`, naming the limit that was met."""
        if limit == self.slow_left and limit < self.per_stream():
            return _pdf_too_large(PDF_MAX_SLOW_DECODED)
        return _pdf_too_large(self.total if self.left < PDF_MAX_DECODED_STREAM else PDF_MAX_DECODED_STREAM)


def _pdf_read_dictionary(data: bytes, start: int, keyword: int, reader):
    """(the object pypdf reads at `start`, where it stopped), or (None, where it gave up),
    reading no further than `keyword`: first a short piece (most dictionaries are short), the
    whole way only when the short read runs into its end."""
    from pypdf.generic import read_object

    for end in (min(keyword, start + 4096), keyword):
        buffer = io.BytesIO(data[start:end])
        try:
            value = read_object(buffer, reader)
        except Exception:  # noqa: BLE001 - whatever pypdf raises: not a dictionary (yet)
            value = None
        stop = start + buffer.tell()
        # a read that stopped at (or one byte before: ">" of ">>") the end of a short piece
        # may have been cut short: again the whole way
        if end == keyword or stop < end - 1:
            return value, stop
    return None, start  # not reached


def _pdf_stream_dictionaries(data: bytes, keywords: list) -> dict:
    """{index of a "stream" keyword: [the dictionaries that end right before it]}, read by pypdf
    from every object header "N G obj <<" in the file. Each header is read once, up to the next
    keyword; only when its dictionary runs past that keyword (a "stream" inside one of its
    strings) is it read again up to the one after, at most PDF_MAX_STREAM_DICT bytes far (a
    dictionary longer than that with such text in it is refused). Usually one dictionary per
    keyword; more when a header sits inside a string of the real dictionary: every reading is
    decoded then."""
    from pypdf.generic import DictionaryObject

    found = {}
    reader = _StrictNoReader()
    for header in _PDF_OBJ_KEYWORD.finditer(data):
        if not _PDF_OBJ_NUMBERS.search(data, max(0, header.start() - 48), header.start()):
            continue
        opening = _PDF_DICT_OPENING.match(data, header.end())
        if opening is None:
            continue
        start = opening.end() - 2
        index = bisect.bisect_left(keywords, start)
        while index < len(keywords):
            keyword = keywords[index]
            if keyword - start > PDF_MAX_STREAM_DICT:
                if index > bisect.bisect_left(keywords, start):
                    raise _pdf_uninspectable()  # a dictionary over that long with "stream" in it
                break
            value, end = _pdf_read_dictionary(data, start, keyword, reader)
            if value is None:
                if end >= keyword:
                    index += 1  # ran into the keyword: the dictionary may go on past it
                    continue
                break
            if isinstance(value, DictionaryObject) and _PDF_TRAILING_SPACE.match(data, end, keyword):
                found.setdefault(index, []).append(value)
            break
    return found


def _pdf_has_reference(value) -> bool:
    from pypdf.generic import IndirectObject

    if isinstance(value, IndirectObject):
        return True
    if isinstance(value, dict):
        return any(_pdf_has_reference(item) for item in dict.values(value))
    if isinstance(value, list):
        return any(_pdf_has_reference(item) for item in value)
    return False


def _pdf_filter_chain(dictionary):
    """[(filter name, decode parms dict or None), …] of a stream dictionary; None when the
    stream is image data that need not be decoded. Raises pdf_uninspectable for what cannot be
    decoded safely."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NullObject

    raw_filter = dict.get(dictionary, "/Filter")
    raw_parms = dict.get(dictionary, "/DecodeParms")
    if _pdf_has_reference(raw_filter):
        raise _pdf_uninspectable()
    if raw_filter is None or isinstance(raw_filter, NullObject):
        return []
    filters = list(raw_filter) if isinstance(raw_filter, ArrayObject) else [raw_filter]
    if not all(isinstance(name, NameObject) for name in filters):
        raise _pdf_uninspectable()
    names = [_PDF_FILTER_ALIASES.get(str(name), str(name)) for name in filters]
    # an object stream by its type, or by the /N or /First a reader needs to read one (MuPDF
    # reads from offset 0 when /First is missing)
    object_stream = dict.get(dictionary, "/Type") == "/ObjStm" or "/First" in dictionary or "/N" in dictionary
    if set(names) - _PDF_TEXT_FILTERS - _PDF_IMAGE_FILTERS:
        raise _pdf_uninspectable()  # unknown (Crypt, Brotli, a typo): a reader may still decode it
    if set(names) & _PDF_IMAGE_FILTERS:
        if object_stream:
            raise _pdf_uninspectable()
        return None  # pixels: no PDF objects in there (its /DecodeParms may point at /JBIG2Globals)
    if dict.get(dictionary, "/Subtype") == "/Image" and not object_stream:
        return None  # an image's pixels, however compressed
    if _pdf_has_reference(raw_parms):
        raise _pdf_uninspectable()
    if raw_parms is None or isinstance(raw_parms, NullObject):
        parms = [None] * len(names)
    elif isinstance(raw_parms, ArrayObject):
        parms = list(raw_parms) + [None] * max(0, len(names) - len(raw_parms))
    else:
        parms = [raw_parms] + [None] * (len(names) - 1)
    chain = []
    for name, parm in zip(names, parms, strict=False):
        if parm is not None and not isinstance(parm, (DictionaryObject, NullObject)):
            raise _pdf_uninspectable()
        chain.append((name, parm if isinstance(parm, DictionaryObject) else None))
    return chain


def _pdf_stream_data(data: bytes, start: int, dictionary):
    """The stream's data as a reader takes it: /Length bytes when a direct /Length ends at
    "endstream"; otherwise everything from the start (the decoders stop at their end-of-data
    marker), so a false or indirect /Length cannot cut off what a reader decodes."""
    from pypdf.generic import NumberObject

    length = dict.get(dictionary, "/Length")
    view = memoryview(data)
    if (
        isinstance(length, NumberObject)
        and 0 <= length <= len(data) - start
        and _PDF_ENDSTREAM.match(data, start + int(length))
    ):
        return view[start : start + int(length)]
    return view[start:]


def _pdf_predict(decoded: bytes, parms, budget: _Budget) -> bytes:
    """Undoes a TIFF (2) or PNG (10-15) predictor, with pypdf's code."""
    from pypdf.errors import PdfReadError
    from pypdf.filters import FlateDecode

    if parms is None:
        return decoded
    predictor = parms.get("/Predictor", 1)
    if predictor == 1:
        return decoded
    budget.take_slow(len(decoded))
    try:
        columns, colors, bits = FlateDecode._get_parameters(parms)
        row_length = (columns * colors * bits + 7) // 8 + 1
        if 10 <= predictor <= 15:
            return FlateDecode._decode_png_prediction(decoded, columns, row_length)
        if predictor == 2 and bits == 8:
            bpp = colors
            out = bytearray(decoded)
            row = row_length - 1
            for i in range(len(out)):
                if i % row >= bpp:
                    out[i] = (out[i] + out[i - bpp]) & 0xFF
            return bytes(out)
    except (PdfReadError, ValueError, TypeError, IndexError) as exc:
        raise _pdf_uninspectable() from exc
    raise _pdf_uninspectable()


def _pdf_decode(buffer, chain, budget: _Budget):
    """The output of each filter of the chain in turn, `buffer` the input of the first; each
    counts against the limits. Every output is scanned, not just the last: a reader that stops
    early (pypdf decodes only as many filters as /DecodeParms has entries) shows a middle one."""
    import pypdf
    from pypdf.errors import LimitReachedError, PdfReadError, PdfStreamError
    from pypdf.filters import ASCII85Decode, ASCIIHexDecode, LZWDecode, RunLengthDecode

    for name, parms in chain:
        limit = budget.per_stream()
        try:
            if name == "/FlateDecode":
                decoded, exceeded = _pdf_inflate(buffer, 0, limit)
                if exceeded:
                    raise LimitReachedError("flate")
                decoded = _pdf_predict(decoded, parms, budget)
            elif name == "/ASCIIHexDecode":
                decoded = ASCIIHexDecode.decode(bytes(_PDF_HEX_DATA.match(buffer).group()) + b">")
            elif name == "/ASCII85Decode":
                decoded = ASCII85Decode.decode(bytes(_PDF_A85_DATA.match(buffer).group()) + b"~>")
            elif name == "/LZWDecode":
                if parms is not None and parms.get("/EarlyChange", 1) != 1:
                    raise _pdf_uninspectable()
                if budget.slow_left < limit:
                    limit = budget.slow_left
                with pypdf.apply_configuration(lzw_maximum_output_length=limit):
                    decoded = LZWDecode.decode(bytes(buffer))
                budget.take_slow(len(decoded))
                decoded = _pdf_predict(decoded, parms, budget)
            else:  # /RunLengthDecode
                with pypdf.apply_configuration(run_length_maximum_output_length=limit):
                    decoded = RunLengthDecode.decode(buffer)
        except UploadRejected:
            raise  # a ValueError too: not to be taken for a decoding error
        except LimitReachedError as exc:
            raise budget.too_large(limit) from exc
        except (PdfReadError, PdfStreamError, ValueError, TypeError, IndexError, KeyError) as exc:
            raise _pdf_uninspectable() from exc
        if len(decoded) > limit:
            raise budget.too_large(limit)
        budget.take(len(decoded))
        buffer = decoded
        yield decoded


def _pdf_decoded_streams(data: bytes):
    """The decoded content of the streams in `data` that can hold PDF objects or content,
    within PDF_MAX_DECODED_STREAM per stream and PDF_MAX_INFLATED per file (beyond: refused).
    Object streams (PDF 1.5) can hide a dictionary such as << /S /JavaScript >> from a plain
    scan of the file."""
    budget = _Budget(PDF_MAX_INFLATED)
    matches = []
    for match in _PDF_STREAM_KEYWORD.finditer(data):
        if len(matches) >= PDF_MAX_STREAMS:
            raise _pdf_uninspectable()
        matches.append(match)
    dictionaries = _pdf_stream_dictionaries(data, [match.start() for match in matches])
    for index, match in enumerate(matches):
        start = match.end()
        if index not in dictionaries:
            if b">>" in data[max(0, match.start() - 1024) : match.start()]:
                raise _pdf_uninspectable()  # looks like a stream whose dictionary we cannot read
            # "stream" in text: as before, inflated only when zlib data follows
            header = data[start : start + 2]
            if len(header) < 2 or header[0] & 0x0F != 8 or (header[0] * 256 + header[1]) % 31:
                continue
            yield from _pdf_decode(memoryview(data)[start:], [("/FlateDecode", None)], budget)
            continue
        seen = set()
        for dictionary in dictionaries[index]:
            chain = _pdf_filter_chain(dictionary)
            if not chain or repr(chain) in seen:
                continue
            seen.add(repr(chain))
            yield from _pdf_decode(_pdf_stream_data(data, start, dictionary), chain, budget)


_PDF_INFLATE_CHUNK = 16 * 1024


def _pdf_inflate(data, start: int, budget: int) -> tuple[bytes, bool]:
    """The zlib stream at data[start:] inflated, at most `budget` bytes, and whether it goes on
    past them. A stream that breaks off (a damaged block after the first ones) gives what came
    out before the break, as a lenient reader would show it: a broken tail cannot hide the
    objects before it."""
    view = memoryview(data)
    inflater = zlib.decompressobj()
    out = bytearray()
    pos = start
    exceeded = False
    while pos < len(view) and not inflater.eof:
        chunk = view[pos : pos + _PDF_INFLATE_CHUNK]
        before = inflater.copy()
        try:
            out += inflater.decompress(chunk, budget + 1 - len(out))
        except zlib.error:
            # the output of the failing call is lost: again from before it, byte by byte
            inflater = before
            for i in range(len(chunk)):
                try:
                    out += inflater.decompress(chunk[i : i + 1], budget + 1 - len(out))
                except zlib.error:
                    break
                if len(out) > budget:
                    break
            exceeded = len(out) > budget
            break
        if len(out) > budget:
            exceeded = True
            break
        pos += len(chunk)
    return bytes(out[:budget]), exceeded


def _read_all(file) -> bytes:
    file.seek(0)
    try:
        data = file.read()
    finally:
        file.seek(0)
    return data.encode("latin-1", "replace") if isinstance(data, str) else data


def _pdf_inspect(data: bytes) -> None:
    """Raises UploadRejected "pdf_active_content", "pdf_uninspectable" or "pdf_too_large"."""
    if _pdf_names_active(data) or any(_pdf_names_active(decoded) for decoded in _pdf_decoded_streams(data)):
        raise UploadRejected(
            "pdf_active_content",
            _(
                "The PDF contains scripts, embedded files or other active content. "
                "Save it as a plain PDF and try again."
            ),
        )


def pdf_has_active_content(file) -> bool:
    """True when the PDF carries JavaScript, launch or submit actions, embedded files, rich media
    or XFA forms, also when the name is hex-escaped (/J#61vaScript) or sits in an encoded stream
    (decoded by its /Filter chain, see _pdf_decoded_streams). Only names count: the same letters
    in a literal string (a title, a link, text on the page such as "C:/JS/...") do not, see
    _PdfStrings. Also True when a stream cannot be inspected or decodes to more than the limits
    (check_pdf tells these apart). Reads the whole file (uploads are limited to a few MB) and
    leaves the read position at the start. It does not check that the file is a PDF: see
    check_pdf."""
    try:
        _pdf_inspect(_read_all(file))
    except UploadRejected:
        return True
    return False


def check_pdf(file) -> None:
    """Refuses, with UploadRejected and a translated message, a file that is not a PDF (code
    "pdf_invalid"), a PDF with active content ("pdf_active_content"), an encrypted PDF, whose
    content cannot be inspected ("pdf_encrypted"), a PDF with a stream that cannot be decoded
    safely ("pdf_uninspectable": unknown filter, indirect /Filter or /DecodeParms, an image
    filter on an object stream, a dictionary that cannot be read) and one whose streams decode
    to more than the limits ("pdf_too_large"). Leaves the read position at the start."""
    data = _read_all(file)
    if not data.startswith(b"%PDF-"):
        raise UploadRejected("pdf_invalid", _("The file is not a PDF file."))
    encrypted = _PDF_ENCRYPT.search(data) is not None
    try:
        _pdf_inspect(data)
    except UploadRejected as exc:
        if encrypted and exc.code != "pdf_active_content":
            raise _pdf_encrypted() from exc  # encrypted streams do not decode
        raise
    if encrypted:
        raise _pdf_encrypted()


def _pdf_encrypted():
    return UploadRejected("pdf_encrypted", _("Password-protected PDF files are not accepted."))
