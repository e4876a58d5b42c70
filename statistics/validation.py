"""Format v1 of the statistics report: reading the file and checking every cell.

Pure Python apart from gettext (no models, no database). The import service (services.py) feeds
the produced COPY lines to PostgreSQL or, on SQLite, to bulk_create.

Speed matters (bench/statistics_import.py, target ≥ 100,000 rows/s end to end): the row check
is one closure with local lookups; dates and personnummer prefixes are validated once and cached
(a month's report has a few thousand distinct dates); ISO dates compare correctly as strings.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import hmac
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext, gettext_noop

COLUMNS = (
    "personnummer",
    "period",
    "service",
    "trigger",
    "application_date",
    "decision",
    "decision_date",
    "first_contact_date",
    "outcome",
    "outcome_date",
    "yttrande_strengthens",
)
SERVICES = frozenset({"radgivning", "forstarkt_stod", "vagledning", "yttrande"})
TRIGGERS = frozenset({"arbetsbrist", "sjukdom", "tidsbegransad", "anstalld", "egenforetagare"})
DECISIONS = frozenset({"beviljad", "avslag", "pagaende"})
OUTCOMES = frozenset({"nytt_arbete", "studier", "eget_foretag", "annat", "pagaende"})
YTTRANDE = {"ja": "t", "nej": "f", "": None}
SERVICE_INDEX = {"radgivning": 0, "forstarkt_stod": 1, "vagledning": 2, "yttrande": 3}

MAX_ERRORS = 1000
NULL = "\\N"  # NULL in PostgreSQL's COPY text format

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


class FileRefused(Exception):
    """The whole file is refused with one message (empty, not CSV/XLSX, too large, unsafe)."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


def error(row: int | None, column: str | None, msgid: str, **params) -> dict:
    return {"row": row, "column": column, "msgid": msgid, "params": params}


def render_error(item: dict) -> dict:
    """{"row", "column", "message"} in the active language."""
    message = gettext(item["msgid"])
    if item.get("params"):
        message = message % item["params"]
    return {"row": item["row"], "column": item["column"], "message": message}


def render_errors(items: Iterable[dict]) -> list[dict]:
    return [render_error(item) for item in items]


@dataclass
class ErrorLog:
    items: list = field(default_factory=list)
    total: int = 0

    def add(self, row, column, msgid, **params):
        self.total += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(error(row, column, msgid, **params))


def parse_period(value: str) -> datetime.date:
    """'YYYY-MM' → the first day of that month; ValueError otherwise."""
    m = PERIOD_RE.match(value.strip()) if isinstance(value, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        raise ValueError(value)
    return datetime.date(int(m.group(1)), int(m.group(2)), 1)


def last_day(period: datetime.date) -> datetime.date:
    nxt = (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return nxt - datetime.timedelta(days=1)


def _shown(value: str) -> str:
    """A cell value quoted in a message: shortened, and never a long run of digits."""
    value = value.strip()
    if sum(ch.isdigit() for ch in value) >= 10:
        return "…"
    return value if len(value) <= 40 else value[:37] + "…"


# --- personnummer --------------------------------------------------------------------------
_DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]


def _prefix_info(prefix: str):
    """'YYYYMMDD' → (partial Luhn sum of YYMMDD, birth year) or None for an impossible date.

    The Luhn check covers the ten digits YYMMDDNNNC as written (day + 60 kept for a
    samordningsnummer)."""
    year, month, day = int(prefix[:4]), int(prefix[4:6]), int(prefix[6:8])
    if day > 60:
        day -= 60
    try:
        datetime.date(year, month, day)
    except ValueError:
        return None
    if year < 1890:
        return None
    digits = prefix[2:]
    total = 0
    for pos, ch in enumerate(digits):  # positions 0..5 of ten; even positions are doubled
        d = ord(ch) - 48
        total += _DOUBLED[d] if pos % 2 == 0 else d
    return total, prefix[:4]


def check_personnummer(value: str, cache: dict | None = None):
    """(12 digits, birth year) or raises ValueError(msgid). Accepts YYYYMMDDNNNN and YYYYMMDD-NNNN."""
    p = value.strip()
    if len(p) == 13 and p[8] == "-":
        p = p[:8] + p[9:]
    if len(p) != 12 or not (p.isascii() and p.isdigit()):
        raise ValueError(gettext_noop("invalid personnummer (format: YYYYMMDDNNNN or YYYYMMDD-NNNN)"))
    info = cache.get(p[:8]) if cache is not None else None
    if info is None:
        info = _prefix_info(p[:8]) or False
        if cache is not None:
            cache[p[:8]] = info
    if info is False:
        raise ValueError(gettext_noop("invalid personnummer (date)"))
    total = info[0] + _DOUBLED[ord(p[8]) - 48] + (ord(p[9]) - 48) + _DOUBLED[ord(p[10]) - 48] + (ord(p[11]) - 48)
    if total % 10:
        raise ValueError(gettext_noop("invalid personnummer (check digit)"))
    return p, info[1]


def pseudonym(key: bytes, personnummer12: str) -> str:
    """HMAC-SHA256 of the 12-digit personnummer (no hyphen), as 64 hex characters."""
    return hmac.digest(key, personnummer12.encode("ascii"), "sha256").hex()


class Pseudonymiser:
    """HMAC-SHA256(key, message) as hex, with the key's inner and outer pads hashed once
    (RFC 2104: H(K ^ opad || H(K ^ ipad || m))). Same result as hmac.new(key, m, sha256)."""

    def __init__(self, key: bytes):
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def hex_many(self, messages: list[bytes]) -> list[str]:
        inner_copy, outer_copy = self.inner.copy, self.outer.copy
        out = []
        append = out.append
        for m in messages:
            i = inner_copy()
            i.update(m)
            o = outer_copy()
            o.update(i.digest())
            append(o.hexdigest())
        return out


# --- the row check --------------------------------------------------------------------------
def make_row_checker(header: list[str], period: datetime.date, key: bytes, errors: ErrorLog):
    """Return check(cells, row) → a COPY text line (without the submission id) or None.

    `header` must already be validated (check_header). Errors go to `errors`."""
    idx = {name: header.index(name) for name in COLUMNS}
    ncols = len(header)
    i_pnr, i_per, i_svc, i_trg = idx["personnummer"], idx["period"], idx["service"], idx["trigger"]
    i_ad, i_dec, i_dd, i_fc = idx["application_date"], idx["decision"], idx["decision_date"], idx["first_contact_date"]
    i_out, i_od, i_ys = idx["outcome"], idx["outcome_date"], idx["yttrande_strengthens"]
    period_str = f"{period.year:04d}-{period.month:02d}"
    period_end = last_day(period).isoformat()
    pnr_cache: dict = {}
    date_cache: dict = {"": ""}
    seen: set = set()
    add = errors.add
    services, triggers, decisions, outcomes, ytt = SERVICES, TRIGGERS, DECISIONS, OUTCOMES, YTTRANDE
    service_index = SERVICE_INDEX
    pads = Pseudonymiser(key)
    inner_copy, outer_copy = pads.inner.copy, pads.outer.copy
    doubled = _DOUBLED
    fromiso = datetime.date.fromisoformat
    dget = date_cache.get

    def date_of(raw: str):
        """Cached: raw cell → 'YYYY-MM-DD', '' (empty) or None (invalid)."""
        if raw in date_cache:
            return date_cache[raw]
        s = raw.strip()
        value = None
        if len(s) == 10 and s[4] == "-" and s[7] == "-" and s.isascii():
            try:
                value = fromiso(s).isoformat()
            except ValueError:
                value = None
        elif s == "":
            value = ""
        date_cache[raw] = value
        return value

    def bad_date(row, column, raw):
        add(row, column, gettext_noop("invalid date '%(value)s' (expected YYYY-MM-DD)"), value=_shown(raw))

    def check(cells: list, row: int):
        if len(cells) != ncols:
            if not any(c.strip() for c in cells):
                return None  # an empty line
            add(
                row,
                None,
                gettext_noop("expected %(expected)d values, found %(found)d"),
                expected=ncols,
                found=len(cells),
            )
            return None
        before = errors.total
        # personnummer
        p = cells[i_pnr]
        if len(p) == 13 and p[8] == "-":
            p = p[:8] + p[9:]
        info = None
        if len(p) == 12 and p.isascii() and p.isdigit():
            info = pnr_cache.get(p[:8])
            if info is None:
                info = _prefix_info(p[:8]) or False
                pnr_cache[p[:8]] = info
            if info is False:
                add(row, "personnummer", gettext_noop("invalid personnummer (date)"))
            elif (
                info[0] + doubled[ord(p[8]) - 48] + (ord(p[9]) - 48) + doubled[ord(p[10]) - 48] + (ord(p[11]) - 48)
            ) % 10:
                add(row, "personnummer", gettext_noop("invalid personnummer (check digit)"))
                info = False
        else:
            try:
                p, _year = check_personnummer(cells[i_pnr], pnr_cache)
                info = pnr_cache[p[:8]]
            except ValueError as exc:
                add(row, "personnummer", exc.args[0])
                info = False
        # period
        per = cells[i_per]
        if per != period_str and per.strip() != period_str:
            add(
                row,
                "period",
                gettext_noop("period '%(value)s' is not the submission's month %(period)s"),
                value=_shown(per),
                period=period_str,
            )
        svc = cells[i_svc]
        if svc not in services:
            svc = svc.strip()
            if svc not in services:
                add(row, "service", gettext_noop("unknown service '%(value)s'"), value=_shown(svc))
        trg = cells[i_trg]
        if trg not in triggers:
            trg = trg.strip()
            if trg not in triggers:
                add(row, "trigger", gettext_noop("unknown trigger '%(value)s'"), value=_shown(trg))
        ad = dget(cells[i_ad], 0)
        if ad == 0:
            ad = date_of(cells[i_ad])
        if ad is None:
            bad_date(row, "application_date", cells[i_ad])
        elif ad == "":
            add(row, "application_date", gettext_noop("application date is required"))
            ad = None
        elif ad > period_end:
            add(
                row,
                "application_date",
                gettext_noop("application date %(value)s is after the end of the period (%(end)s)"),
                value=ad,
                end=period_end,
            )
        dec = cells[i_dec]
        if dec not in decisions:
            dec = dec.strip()
            if dec not in decisions:
                add(row, "decision", gettext_noop("unknown decision '%(value)s'"), value=_shown(dec))
                dec = None
        dd = dget(cells[i_dd], 0)
        if dd == 0:
            dd = date_of(cells[i_dd])
        if dd is None:
            bad_date(row, "decision_date", cells[i_dd])
        elif dd == "":
            if dec is not None and dec != "pagaende":
                add(
                    row,
                    "decision_date",
                    gettext_noop("decision date is required when the decision is '%(decision)s'"),
                    decision=dec,
                )
        elif ad and dd < ad:
            add(
                row,
                "decision_date",
                gettext_noop("decision date %(value)s is before the application date %(other)s"),
                value=dd,
                other=ad,
            )
        fc = dget(cells[i_fc], 0)
        if fc == 0:
            fc = date_of(cells[i_fc])
        if fc is None:
            bad_date(row, "first_contact_date", cells[i_fc])
        elif fc != "":
            if dec is not None and dec != "beviljad":
                add(
                    row,
                    "first_contact_date",
                    gettext_noop("first contact date is only allowed when the decision is 'beviljad'"),
                )
            elif dd and fc < dd:
                add(
                    row,
                    "first_contact_date",
                    gettext_noop("first contact date %(value)s is before the decision date %(other)s"),
                    value=fc,
                    other=dd,
                )
        out = cells[i_out]
        if out not in outcomes:
            out = out.strip()
            if out not in outcomes:
                add(row, "outcome", gettext_noop("unknown outcome '%(value)s'"), value=_shown(out))
                out = None
        od = dget(cells[i_od], 0)
        if od == 0:
            od = date_of(cells[i_od])
        if od is None:
            bad_date(row, "outcome_date", cells[i_od])
        elif od == "":
            if out is not None and out != "pagaende":
                add(
                    row,
                    "outcome_date",
                    gettext_noop("outcome date is required when the outcome is '%(outcome)s'"),
                    outcome=out,
                )
        elif dd and od < dd:
            add(
                row,
                "outcome_date",
                gettext_noop("outcome date %(value)s is before the decision date %(other)s"),
                value=od,
                other=dd,
            )
        ys_raw = cells[i_ys]
        ys = ytt.get(ys_raw, 0)
        if ys == 0:
            ys = ytt.get(ys_raw.strip().lower(), 0)
        if ys == 0:
            add(
                row,
                "yttrande_strengthens",
                gettext_noop("unknown value '%(value)s' (expected ja, nej or empty)"),
                value=_shown(ys_raw),
            )
        elif svc == "yttrande" and dec is not None and dec != "pagaende":
            if ys is None:
                add(row, "yttrande_strengthens", gettext_noop("required (ja or nej) for a decided yttrande"))
        elif ys is not None:
            add(row, "yttrande_strengthens", gettext_noop("must be empty unless the service is a decided yttrande"))
        if errors.total != before:
            return None
        # duplicate key: personnummer, service, application_date (one int per row, compact in memory)
        dup = (int(p) << 24) | (service_index[svc] << 22) | fromiso_ordinal(ad)
        if dup in seen:
            add(
                row,
                None,
                gettext_noop(
                    "duplicate row: the same personnummer, service and application_date appear earlier in the file"
                ),
            )
            return None
        seen.add(dup)
        sex = "M" if (ord(p[10]) - 48) & 1 else "F"
        h = inner_copy()
        h.update(p.encode())
        o = outer_copy()
        o.update(h.digest())
        return (
            f"{o.hexdigest()}\t{info[1]}\t{sex}\t{svc}\t{trg}\t{ad}\t{dec}\t"
            f"{dd or NULL}\t{fc or NULL}\t{out}\t{od or NULL}\t{ys or NULL}\n"
        )

    ordinal_cache: dict = {}

    def fromiso_ordinal(iso: str) -> int:
        o = ordinal_cache.get(iso)
        if o is None:
            o = ordinal_cache[iso] = fromiso(iso).toordinal() - 693_000  # < 2**22 for years up to 2500
        return o

    return check


def check_header(header: list[str], errors: ErrorLog) -> bool:
    """Row 1: every column once, none missing, none unknown (any order)."""
    names = [h.strip().lower() for h in header]
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0][1:]
    header[:] = names
    ok = True
    seen = set()
    for name in names:
        if name in seen:
            errors.add(1, _shown(name), gettext_noop("column '%(value)s' appears more than once"), value=_shown(name))
            ok = False
        seen.add(name)
        if name not in COLUMNS:
            errors.add(1, _shown(name), gettext_noop("unknown column '%(value)s'"), value=_shown(name))
            ok = False
    for name in COLUMNS:
        if name not in seen:
            errors.add(1, name, gettext_noop("missing column '%(value)s'"), value=name)
            ok = False
    return ok


# --- files ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_uncompressed: int
    max_ratio: int


def sniff(path: Path, limits: Limits) -> str:
    """'csv' or 'xlsx', or raises FileRefused (empty, too large, not CSV/XLSX, unsafe XLSX)."""
    size = path.stat().st_size
    if size == 0:
        raise FileRefused(gettext_noop("The file is empty."))
    if size > limits.max_bytes:
        raise FileRefused(
            gettext_noop("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            size=round(size / 1_048_576, 1),
            limit=limits.max_bytes // 1_048_576,
        )
    with open(path, "rb") as fh:
        head = fh.read(65_536)
    if head.startswith(b"PK\x03\x04"):
        check_xlsx_container(path, limits)
        return "xlsx"
    if b"\x00" in head or head.startswith((b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8")):
        raise FileRefused(gettext_noop("The file is neither CSV nor XLSX."))
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head, final=len(head) == size)
    except UnicodeDecodeError as exc:
        raise FileRefused(gettext_noop("The file is neither CSV (UTF-8) nor XLSX.")) from exc
    if not text.lstrip("\ufeff \t\r\n,;"):
        raise FileRefused(gettext_noop("The file is empty."))
    return "csv"


def check_xlsx_container(path: Path, limits: Limits) -> None:
    """Checks the zip directory before anything is decompressed: macros, external links, zip bombs."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {info.filename.lower() for info in infos}
            if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
                raise FileRefused(gettext_noop("The file is neither CSV nor XLSX."))
            if any(n.endswith("vbaproject.bin") or n.endswith(".bin") and "vba" in n for n in names):
                raise FileRefused(gettext_noop("The XLSX file contains macros; save it as a plain .xlsx workbook."))
            if any(n.startswith("xl/externallinks/") for n in names):
                raise FileRefused(
                    gettext_noop("The XLSX file contains external links; remove them (paste values) and try again.")
                )
            total = 0
            for info in infos:
                total += info.file_size
                if info.file_size > 1_000_000 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                    raise FileRefused(gettext_noop("The XLSX file is refused: it unpacks to an unreasonable size."))
            if total > limits.max_uncompressed:
                raise FileRefused(gettext_noop("The XLSX file is refused: it unpacks to an unreasonable size."))
            ct = next((i for i in infos if i.filename == "[Content_Types].xml"), None)
            if ct is not None and ct.file_size < 1_000_000 and b"macroEnabled" in zf.read(ct):
                raise FileRefused(gettext_noop("The XLSX file contains macros; save it as a plain .xlsx workbook."))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise FileRefused(gettext_noop("The file is neither CSV nor XLSX.")) from exc


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, for progress."""

    def __init__(self, fh):
        self.fh = fh
        self.count = 0

    def readable(self):
        return True

    def readinto(self, b):
        n = self.fh.readinto(b)
        self.count += n or 0
        return n


def delimiter_of(first_line: str) -> str:
    """';' when the header line has more semicolons than commas, else ','."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def csv_delimiter(path: Path) -> str:
    """The delimiter of a CSV file, detected from its header line as csv_rows does."""
    with open(path, encoding="utf-8-sig", newline="", errors="replace") as fh:
        return delimiter_of(fh.readline())


def csv_rows(path: Path, progress: Callable[[float], None] | None = None) -> Iterator[list[str]]:
    """Rows of a UTF-8 CSV (BOM removed), delimiter ',' or ';' detected from the header line."""
    raw = open(path, "rb")  # noqa: SIM115 - closed in finally
    try:
        size = max(path.stat().st_size, 1)
        counter = _CountingReader(raw)
        text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding="utf-8-sig", newline="")
        first = text.readline()
        delimiter = delimiter_of(first)
        reader = csv.reader(io.StringIO(first), delimiter=delimiter)
        yield from reader
        reader = csv.reader(text, delimiter=delimiter)
        n = 0
        try:
            for row in reader:
                yield row
                n += 1
                if progress is not None and n % 20_000 == 0:
                    progress(counter.count / size)
        except UnicodeDecodeError as exc:
            raise FileRefused(gettext_noop("The file is neither CSV (UTF-8) nor XLSX.")) from exc
        except csv.Error as exc:
            raise FileRefused(gettext_noop("The CSV file cannot be read: %(detail)s"), detail=str(exc)[:100]) from exc
    finally:
        raw.close()


def _cell_text(value, as_period=False) -> str:
    if value is None:
        return ""
    cls = value.__class__
    if cls is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if cls is int:
        return str(value)
    if cls is bool:
        return "ja" if value else "nej"
    if cls is datetime.datetime:
        value = value.date()
        cls = datetime.date
    if cls is datetime.date:
        return f"{value.year:04d}-{value.month:02d}" if as_period else value.isoformat()
    return str(value)


# A sheet with more rows than XLSX_STREAM_ROWS is read by the streaming reader (xlsx_stream.py),
# a smaller one by python-calamine, which is about twice as fast per row but holds the whole
# sheet in memory: measured peak RSS of the import 303 MiB at 200,000 rows, 366 MiB at 300,000
# and 1,039 MiB at 1,000,000 (≈ 0.84 MiB per 1,000 rows on top of ~140 MiB; the limit is
# 400 MiB, issue #8). 250,000 rows keeps calamine near 350 MiB. The rows come from the sheet's
# <dimension> and an estimate from its first MiB (xlsx_stream.sheet_size), whichever is larger;
# when neither is available, a sheet of more than XLSX_STREAM_MB of XML is streamed. Settings:
# STATISTICS_XLSX_STREAM_ROWS, STATISTICS_XLSX_STREAM_MB (tests set them to 0 to force streaming).
XLSX_STREAM_ROWS = 250_000
XLSX_STREAM_MB = 128


def xlsx_reader(path: Path) -> str:
    """'calamine' or 'stream': which reader xlsx_rows uses for this file."""
    from django.conf import settings

    from .xlsx_stream import StreamRefused, sheet_size

    max_rows = getattr(settings, "STATISTICS_XLSX_STREAM_ROWS", XLSX_STREAM_ROWS)
    max_bytes = getattr(settings, "STATISTICS_XLSX_STREAM_MB", XLSX_STREAM_MB) * 1_048_576
    try:
        size, rows = sheet_size(path)
    except (StreamRefused, zipfile.BadZipFile, KeyError, OSError):
        return "calamine"  # let calamine give its error (or read what it can)
    if rows > max_rows if rows is not None else size > max_bytes:
        return "stream"
    return "calamine"


def xlsx_rows(path: Path, progress: Callable[[float], None] | None = None) -> Iterator[list[str]]:
    """Rows of the first sheet of an XLSX, every cell as text: python-calamine for ordinary
    sheets, the streaming reader for large ones (xlsx_reader); both give the same text.

    A date cell in the `period` column becomes YYYY-MM (Excel turns "2026-03" into a date)."""
    if xlsx_reader(path) == "stream":
        return _xlsx_stream_rows(path, progress)
    return _xlsx_calamine_rows(path, progress)


def _xlsx_stream_rows(path: Path, progress) -> Iterator[list[str]]:
    from .xlsx_stream import StreamRefused, stream_values

    try:
        yield from _cells_as_text(stream_values(path, progress), None, None)
    except StreamRefused as exc:
        raise FileRefused(exc.msgid, **exc.params) from exc


def _xlsx_calamine_rows(path: Path, progress) -> Iterator[list[str]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError) as exc:
        raise FileRefused(gettext_noop("The XLSX file cannot be read.")) from exc
    try:
        yield from _cells_as_text(sheet.iter_rows(), max(sheet.height, 1), progress)
    except OverflowError as exc:  # python-calamine: a huge number with a duration format ([h]:mm)
        raise FileRefused(gettext_noop("The XLSX file cannot be read.")) from exc
    finally:
        workbook.close()


def _cells_as_text(rows, height, progress) -> Iterator[list[str]]:
    """Rows of cell values (python-calamine's types) → rows of text."""
    header = None
    i_period = -1
    n = 0
    for row in rows:
        if header is None:
            header = [_cell_text(v) for v in row]
            lowered = [h.strip().lower() for h in header]
            i_period = lowered.index("period") if "period" in lowered else -1
            yield header
            continue
        cells = [v if v.__class__ is str else _cell_text(v) for v in row]
        if i_period >= 0 and i_period < len(row) and row[i_period].__class__ in (datetime.date, datetime.datetime):
            cells[i_period] = _cell_text(row[i_period], as_period=True)
        # calamine pads rows to the sheet's width; drop empty trailing cells beyond the header
        if len(cells) > len(header) and not any(cells[len(header) :]):
            del cells[len(header) :]
        yield cells
        n += 1
        if progress is not None and height is not None and n % 20_000 == 0:
            progress(n / height)
    if header is None:
        raise FileRefused(gettext_noop("The file is empty."))
