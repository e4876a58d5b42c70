"""Uploads: ClamAV through clamd (a real clamd started by the test with a local test signature,
skipped where Debian's clamav-daemon is missing) and the zip-bomb guard."""

import base64
import io
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from omstallning.core.uploads import UploadRejected, check_zip_archive, scan_upload

CLAMD = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
# The standard EICAR anti-virus test string (harmless by design), assembled at run time.
EICAR = base64.b64decode(
    b"WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo="
)


@pytest.fixture
def clamd_socket(tmp_path, settings):
    """Starts clamd on a Unix socket with a signature database holding only the EICAR test
    signature (the official database needs freshclam and the network)."""
    if CLAMD is None:
        pytest.skip("clamd is not installed (apt-get install clamav-daemon): virus scanning test SKIPPED")
    import hashlib

    db = tmp_path / "db"
    db.mkdir()
    (db / "portal-test.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Portal.Test.EICAR\n")  # noqa: S324
    sock = tmp_path / "clamd.sock"
    conf = tmp_path / "clamd.conf"
    conf.write_text(f"Foreground yes\nLocalSocket {sock}\nDatabaseDirectory {db}\nLogFile {tmp_path / 'clamd.log'}\n")
    proc = subprocess.Popen([CLAMD, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("clamd did not start: " + (tmp_path / "clamd.log").read_text())
            time.sleep(0.2)
        settings.CLAMD_SOCKET = str(sock)
        yield sock
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_without_clamd_configured_the_scan_is_skipped(settings):
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    assert scan_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.7 hello")).status == "skipped"


def test_clamd_passes_a_clean_file_and_refuses_a_virus(clamd_socket):
    clean = SimpleUploadedFile("intyg.pdf", b"%PDF-1.7 a clean certificate")
    assert scan_upload(clean).status == "clean"
    assert clean.tell() == 0
    infected = SimpleUploadedFile("intyg.pdf", EICAR)
    with pytest.raises(UploadRejected) as exc:
        scan_upload(infected)
    assert exc.value.code == "virus"


def test_a_configured_but_dead_clamd_refuses_rather_than_accepts(settings, tmp_path):
    from omstallning.core.uploads import ScannerUnavailable

    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    with pytest.raises(ScannerUnavailable):
        scan_upload(SimpleUploadedFile("a.pdf", b"data"))


def _zip(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def test_a_normal_xlsx_like_archive_passes():
    text = "".join(f"<row r='{i}'><c>{i * 7919 % 1000}</c></row>" for i in range(2000)).encode()
    archive = _zip([("[Content_Types].xml", b"<Types/>"), ("xl/worksheets/sheet1.xml", text)])
    assert check_zip_archive(archive) == len(text) + len(b"<Types/>")
    assert archive.tell() == 0


@pytest.mark.parametrize(
    ("entries", "limits", "code"),
    [
        ([(f"f{i}.xml", b"x") for i in range(11)], {"max_files": 10}, "zip_too_many_files"),
        ([("big.bin", bytes(range(256)) * 8000)], {"max_uncompressed": 1024 * 1024}, "zip_too_large"),
        ([("zeros.xml", b"\0" * 3_000_000)], {}, "zip_ratio"),
    ],
)
def test_archives_over_a_limit_are_refused_before_extraction(entries, limits, code):
    with pytest.raises(UploadRejected) as exc:
        check_zip_archive(_zip(entries), **limits)
    assert exc.value.code == code


def test_a_real_zip_bomb_with_the_default_limits():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(300):  # 300 MiB of zeros in about 300 KiB
            member.write(chunk)
    assert len(buffer.getvalue()) < 2 * 1024 * 1024
    with pytest.raises(UploadRejected) as exc:
        check_zip_archive(buffer)
    assert exc.value.code in ("zip_ratio", "zip_too_large")


def test_not_a_zip_and_a_lying_header():
    with pytest.raises(UploadRejected) as exc:
        check_zip_archive(io.BytesIO(b"not a zip at all"))
    assert exc.value.code == "zip_invalid"
    # Declares 10 bytes in the central directory but holds 200,000: refused, never trusted.
    raw = bytearray(_zip([("a.xml", b"a" * 200_000)], compression=zipfile.ZIP_STORED).getvalue())
    for marker in (b"PK\x01\x02", b"PK\x03\x04"):
        pos = raw.find(marker)
        size_offset = pos + (24 if marker == b"PK\x01\x02" else 22)
        raw[size_offset : size_offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(UploadRejected):
        check_zip_archive(io.BytesIO(bytes(raw)), max_uncompressed=100_000)
