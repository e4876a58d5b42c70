"""Reading uploaded tables (CSV or XLSX) safely, as lists of string cells.

XLSX files are zip archives: before calamine reads one, the archive's directory is inspected and
the file is refused when it is too large, would unzip to more than `MAX_UNCOMPRESSED_BYTES` or
with a suspicious compression ratio (zip bomb), holds macros (vbaProject.bin) or external links,
or is not a workbook at all. Nothing is extracted for the check (ASVS 5.2.3). CSV files must be
UTF-8 (a BOM is allowed) with `;` or `,` as the separator.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 1000


class TableError(ValueError):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # data rows; rows[i] is line i + 2 of the file
    kind: str  # "csv" or "xlsx"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def inspect_xlsx(data: bytes) -> None:
    """Refuse archives that are not plain workbooks, before anything is decompressed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TableError(_("The file is not a valid XLSX workbook.")) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise TableError(_("The workbook holds too many parts."))
        names = {info.filename.lower() for info in infos}
        if "[content_types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            raise TableError(_("The file is not a valid XLSX workbook."))
        if any(n.endswith("vbaproject.bin") or n.endswith(".bin") and "vba" in n for n in names):
            raise TableError(_("Workbooks with macros are not accepted."))
        if any(n.startswith("xl/externallinks/") for n in names):
            raise TableError(_("Workbooks with external links are not accepted."))
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise TableError(_("Encrypted workbooks are not accepted."))
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
                raise TableError(_("The workbook is compressed suspiciously hard and is refused."))
            if info.compress_size == 0 and info.file_size > 0:
                raise TableError(_("The workbook is compressed suspiciously hard and is refused."))
        if total > MAX_UNCOMPRESSED_BYTES:
            raise TableError(_("The workbook is too large when unpacked."))


def _read_xlsx(data: bytes) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    inspect_xlsx(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows()]
    except Exception as exc:  # calamine raises several error types for broken workbooks
        raise TableError(_("The workbook could not be read.")) from exc


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(_("The CSV file must be encoded as UTF-8.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise TableError(
            _("The CSV file could not be read (line %(line)s): check quotes and line breaks.")
            % {"line": reader.line_num}
        ) from exc


def read_table(file_name: str, data: bytes) -> Table:
    """Read an uploaded CSV or XLSX file (chosen by the file name's extension)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise TableError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        kind, rows = "xlsx", _read_xlsx(data)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        kind, rows = "csv", _read_csv(data)
    else:
        raise TableError(_("Upload a CSV or XLSX file."))
    # trailing empty rows are ignored
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise TableError(_("The file is empty."))
    header = [h.strip().lower() for h in rows[0]]
    return Table(header=header, rows=rows[1:], kind=kind)


def column_index(header: list[str], aliases: tuple[str, ...]) -> int | None:
    for alias in aliases:
        if alias in header:
            return header.index(alias)
    return None


def parse_date(text: str) -> datetime.date:
    """YYYY-MM-DD (also YYYYMMDD); raises ValueError."""
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return datetime.date.fromisoformat(text[:10])


def parse_amount_ore(text: str) -> int:
    """A non-negative amount in kronor ("12345", "12 345,50", "12345.5") as integer öre."""
    if text.isdigit():
        return int(text) * 100
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if cleaned.startswith("-"):
        raise ValueError("negative")
    whole, _sep, frac = cleaned.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise ValueError("not an amount")
    return int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
