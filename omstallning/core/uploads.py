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


def _pdf_names_active(data: bytes) -> bool:
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in PDF_ACTIVE_NAMES:
            return True
    return False


def _pdf_inflated_streams(data: bytes):
    """The decompressed content of the zlib (FlateDecode) streams in `data`, within the limits:
    object streams (PDF 1.5) can hide a dictionary such as << /S /JavaScript >> from a plain scan.
    A zip bomb in a stream cannot hurt: at most PDF_MAX_INFLATED bytes come out in total."""
    budget = PDF_MAX_INFLATED
    for count, match in enumerate(_PDF_STREAM.finditer(data)):
        if count >= PDF_MAX_STREAMS or budget <= 0:
            return
        start = match.end()
        header = data[start : start + 2]
        # a zlib header: compression method 8 (deflate) and a check value divisible by 31
        if len(header) < 2 or header[0] & 0x0F != 8 or (header[0] * 256 + header[1]) % 31:
            continue
        try:
            produced = zlib.decompressobj().decompress(data[start:], budget)
        except zlib.error:
            continue
        budget -= len(produced)
        yield produced


def _read_all(file) -> bytes:
    file.seek(0)
    try:
        data = file.read()
    finally:
        file.seek(0)
    return data.encode("latin-1", "replace") if isinstance(data, str) else data


def pdf_has_active_content(file) -> bool:
    """True when the PDF carries JavaScript, launch or submit actions, embedded files, rich media
    or XFA forms, also when the name is hex-escaped (/J#61vaScript) or sits in a compressed
    (FlateDecode) stream. Reads the whole file (uploads are limited to a few MB) and leaves the
    read position at the start. It does not check that the file is a PDF: see check_pdf."""
    data = _read_all(file)
    if _pdf_names_active(data):
        return True
    return any(_pdf_names_active(inflated) for inflated in _pdf_inflated_streams(data))


def check_pdf(file) -> None:
    """Refuses, with UploadRejected and a translated message, a file that is not a PDF (code
    "pdf_invalid"), a PDF with active content ("pdf_active_content") and an encrypted PDF, whose
    content cannot be inspected ("pdf_encrypted"). Leaves the read position at the start."""
    data = _read_all(file)
    if not data.startswith(b"%PDF-"):
        raise UploadRejected("pdf_invalid", _("The file is not a PDF file."))
    if pdf_has_active_content(file):
        raise UploadRejected(
            "pdf_active_content",
            _(
                "The PDF contains scripts, embedded files or other active content. "
                "Save it as a plain PDF and try again."
            ),
        )
    if _PDF_ENCRYPT.search(data):
        raise UploadRejected("pdf_encrypted", _("Password-protected PDF files are not accepted."))
