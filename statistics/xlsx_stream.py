"""A streaming reader for large XLSX sheets (issue #8: 1,000,000 rows within 400 MiB).

python-calamine parses the whole sheet into memory when it opens it (about 1 GiB for a
1,000,000-row report). This reader decompresses the sheet XML straight out of the zip and parses
it incrementally (xml.etree.ElementTree.XMLPullParser), dropping each <row> once it has been
turned into values. Only the shared strings table and the style table are held in memory, and
the shared strings table is bounded (MAX_SHARED_STRINGS, MAX_SHARED_STRINGS_BYTES).

It yields the same Python values python-calamine 0.9.1 gives for the cells the report format can
contain (validation.xlsx_rows turns both into the same text):

* shared and inline strings: the text of every <t> (rich-text runs joined, phonetic <rPh> runs
  left out); a <t> without xml:space="preserve" is stripped of surrounding whitespace, and
  Excel's _xHHHH_ escapes are decoded, as calamine does;
* numbers: float; with a date number format (built-in 14–22, 45, 47 or a custom code with date
  tokens) a date (whole serial), datetime (fraction), time (serial < 1), and a timedelta for
  duration formats ([h]:mm, built-in 46); the 1900 leap-year bug and the 1904 system as calamine;
* booleans: True/False; error cells (#DIV/0!): an empty string; formula results (t="str"): the
  cached text; t="d" (ISO 8601): date or datetime.

Shape: like python-calamine's iter_rows, rows are numbered from sheet row 1 (empty rows yielded
as empty rows, trailing empty rows not at all), and columns start at the first column of the
first non-empty row (the header) and every row is padded to that row's width. Differences from
calamine, only for malformed reports: calamine pads every row to the widest row of the whole
sheet (it knows it, having read everything), this reader to the header's width, so a row wider
than the header shows its own length in "expected 11 values, found 12" — such a file is rejected
either way. A value left of the header's first column is refused with its own message.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable, Iterator
from xml.etree import ElementTree as ET

from django.utils.translation import gettext_noop

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# The shared strings table is read whole before the sheet. A report's table holds a few
# thousand distinct values (codes, dates); refuse absurd ones rather than run out of memory.
MAX_SHARED_STRINGS = 2_000_000
MAX_SHARED_STRINGS_BYTES = 128 * 1_048_576  # uncompressed XML of xl/sharedStrings.xml
MAX_SMALL_PART_BYTES = 16 * 1_048_576  # workbook.xml, its rels, styles.xml
CHUNK = 1 << 20

_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)?(\d+)?)?\"")


class StreamRefused(Exception):
    """Raised with a msgid (and params); validation turns it into FileRefused."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


# --- the workbook's parts -------------------------------------------------------------------
def _no_doctype(head: bytes) -> None:
    """Refuse a part with a document type declaration: no spreadsheet writer makes one, and it is
    how entity-expansion attacks ("billion laughs") start. The declaration must come before the
    root element, so the beginning of a part is enough to look at."""
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise StreamRefused(gettext_noop("The XLSX file cannot be read."))


def _parse_small(raw: bytes):
    _no_doctype(raw)
    return ET.fromstring(raw)  # noqa: S314 - a small part, no DOCTYPE (checked above)


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_SMALL_PART_BYTES:
        raise StreamRefused(gettext_noop("The XLSX file cannot be read."))
    return zf.read(info)


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [p for p in (base_dir + "/" + target).split("/") if p and p != "."]
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        else:
            out.append(p)
    return "/".join(out)


def workbook_parts(zf: zipfile.ZipFile) -> dict:
    """{"sheet": member of the first sheet, "strings": member or None, "styles": member or None,
    "date1904": bool} — the first sheet as listed in xl/workbook.xml, as calamine takes it."""
    names = {info.filename: info.filename for info in zf.infolist()}
    lower = {n.lower(): n for n in names}
    wb_name = lower.get("xl/workbook.xml")
    if wb_name is None:
        raise StreamRefused(gettext_noop("The XLSX file cannot be read."))
    try:
        wb = _parse_small(_read_small(zf, wb_name))
        rels_raw = _read_small(zf, lower.get("xl/_rels/workbook.xml.rels", "xl/_rels/workbook.xml.rels"))
        rels = _parse_small(rels_raw) if rels_raw is not None else None
    except ET.ParseError as exc:
        raise StreamRefused(gettext_noop("The XLSX file cannot be read.")) from exc
    pr = wb.find(f"{NS}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    sheet_el = wb.find(f"{NS}sheets/{NS}sheet")
    targets: dict[str, str] = {}
    by_type: dict[str, str] = {}
    for rel in rels if rels is not None else ():
        target = _resolve("xl", rel.get("Target", ""))
        targets[rel.get("Id", "")] = target
        by_type.setdefault(rel.get("Type", "").rsplit("/", 1)[-1], target)
    sheet = None
    if sheet_el is not None:
        sheet = targets.get(sheet_el.get(f"{REL_NS}id", ""))
    if sheet is None or sheet.lower() not in lower:
        sheet = lower.get("xl/worksheets/sheet1.xml")
    if sheet is None:
        raise StreamRefused(gettext_noop("The XLSX file cannot be read."))

    def member(kind, default):
        name = by_type.get(kind, default)
        return lower.get(name.lower())

    return {
        "sheet": lower[sheet.lower()],
        "strings": member("sharedStrings", "xl/sharedStrings.xml"),
        "styles": member("styles", "xl/styles.xml"),
        "date1904": date1904,
    }


_ROW_END_RE = re.compile(rb"</(?:[\w.-]+:)?row>")
SAMPLE_BYTES = 1_048_576


def sheet_size(path) -> tuple[int, int | None]:
    """(uncompressed bytes of the first sheet, its number of rows or None) before anything but the
    first MiB of the sheet is decompressed. The rows are the larger of the sheet's
    <dimension ref> (Excel writes it; other writers may not, or write a wrong one) and an
    estimate from the first MiB: the sheet's size divided by the bytes per row seen there."""
    with zipfile.ZipFile(path) as zf:
        name = workbook_parts(zf)["sheet"]
        size = zf.getinfo(name).file_size
        with zf.open(name) as fh:
            head = fh.read(SAMPLE_BYTES)
    m = _DIMENSION_RE.search(head, 0, 8192)
    rows = None
    if m and m.group(2):
        last = m.group(4) or m.group(2)
        rows = int(last) - int(m.group(2)) + 1
    ends = [e.end() for e in _ROW_END_RE.finditer(head)]
    if len(ends) >= 10 and size > len(head):
        per_row = (ends[-1] - ends[0]) / (len(ends) - 1)
        estimate = int(size / per_row)
        rows = max(rows or 0, estimate)
    elif ends and size <= len(head):
        rows = max(rows or 0, len(ends))
    return size, rows


# --- number formats ------------------------------------------------------------------------
def format_kind(code: str) -> str:
    """'datetime', 'timedelta' or '' for a custom number format code (first section only);
    the same decisions as calamine's detection of date formats."""
    escaped = quoted = ap = hms = False
    brackets = 0
    prev = " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "_\\*":
            escaped = True
        elif quoted:
            if ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == ";":
            return ""
        elif ch == "[":
            brackets += 1
        elif ch == "]":
            if brackets == 1 and hms:
                return "timedelta"
            brackets = max(brackets - 1, 0)
        elif ch in "aA" and not ap and brackets == 0:
            ap = True
        elif brackets == 0 and (ch in "pm/PM" if ap else ch in "dmhysDMHYS"):
            return "datetime"
        elif not (hms and ch.lower() == prev.lower()):
            hms = prev == "[" and ch in "mhsMHS"
        prev = ch
    return ""


_BUILTIN_KIND = {**dict.fromkeys(("14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "47"), "datetime")}
_BUILTIN_KIND["46"] = "timedelta"


def style_kinds(zf: zipfile.ZipFile, name: str | None) -> list[str]:
    """For each cellXfs index: 'datetime', 'timedelta' or ''."""
    if name is None:
        return []
    raw = _read_small(zf, name)
    if raw is None:
        return []
    try:
        root = _parse_small(raw)
    except ET.ParseError as exc:
        raise StreamRefused(gettext_noop("The XLSX file cannot be read.")) from exc
    custom = {}
    fmts = root.find(f"{NS}numFmts")
    for fmt in fmts if fmts is not None else ():
        custom[fmt.get("numFmtId", "")] = format_kind(fmt.get("formatCode", ""))
    kinds = []
    xfs = root.find(f"{NS}cellXfs")
    for xf in xfs if xfs is not None else ():
        fid = xf.get("numFmtId", "0")
        kinds.append(custom[fid] if fid in custom else _BUILTIN_KIND.get(fid, ""))
    return kinds


# naive on purpose: Excel serials have no time zone, and python-calamine gives naive values
_EPOCH = datetime.datetime(1899, 12, 30)  # noqa: DTZ001
_EPOCH_1904 = datetime.datetime(1904, 1, 1)  # noqa: DTZ001
_FEB28_1900 = datetime.datetime(1900, 2, 28)  # noqa: DTZ001
_MAX_DT = datetime.datetime(9999, 12, 31, 23, 59, 59, 999000)  # noqa: DTZ001


def serial_value(value: float, kind: str, date1904: bool):
    """An Excel serial number with a date or duration format → the value python-calamine gives."""
    ms = round(value * 86_400_000)
    if kind == "timedelta":
        return datetime.timedelta(milliseconds=ms)
    if value < 1.0 and not date1904:
        frac_ms = round((value % 1.0) * 86_400_000) % 86_400_000
        return datetime.time(frac_ms // 3_600_000, frac_ms // 60_000 % 60, frac_ms // 1000 % 60, frac_ms % 1000 * 1000)
    try:
        if date1904:
            dt = _EPOCH_1904 + datetime.timedelta(milliseconds=ms)
        elif value < 60:
            dt = _EPOCH + datetime.timedelta(milliseconds=ms + 86_400_000)
        elif value < 61:  # Excel's 29 February 1900, which did not exist
            dt = _FEB28_1900 + datetime.timedelta(milliseconds=ms - 60 * 86_400_000)
        else:
            dt = _EPOCH + datetime.timedelta(milliseconds=ms)
    except OverflowError:
        return value
    if dt > _MAX_DT:
        return value
    return dt.date() if value.is_integer() else dt


def _iso_value(text: str):
    try:
        dt = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            return datetime.date.fromisoformat(text.strip())
        except ValueError:
            return text
    return dt.date() if dt.time() == datetime.time(0) and "T" not in text else dt


# --- text ------------------------------------------------------------------------------------
def _unescape(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _t_text(t) -> str:
    text = t.text or ""
    if t.get(XML_SPACE) != "preserve":
        text = text.strip()
    return _unescape(text)


def _rich_text(el) -> str:
    """The text of an <si> or <is>: its <t>, or the <t> of each <r> run (not <rPh>)."""
    t = el.find(f"{NS}t")
    if t is not None:
        return _t_text(t)
    return "".join(_t_text(rt) for r in el.iterfind(f"{NS}r") for rt in r.iterfind(f"{NS}t"))


def shared_strings(zf: zipfile.ZipFile, name: str | None) -> list[str]:
    if name is None:
        return []
    info = zf.getinfo(name)
    if info.file_size > MAX_SHARED_STRINGS_BYTES:
        raise StreamRefused(
            gettext_noop(
                "The XLSX file's table of texts is too large (%(size)s MB; the limit is %(limit)s MB). "
                "Save the report as CSV and try again."
            ),
            size=round(info.file_size / 1_048_576),
            limit=MAX_SHARED_STRINGS_BYTES // 1_048_576,
        )
    out: list[str] = []
    si_tag = f"{NS}si"
    parser = ET.XMLPullParser(events=("end",))
    with zf.open(info) as fh:
        first = True
        while chunk := fh.read(CHUNK):
            if first:
                _no_doctype(chunk)
                first = False
            parser.feed(chunk)
            for _ev, el in parser.read_events():
                if el.tag == si_tag:
                    out.append(_rich_text(el))
                    el.clear()
                    if len(out) > MAX_SHARED_STRINGS:
                        raise StreamRefused(
                            gettext_noop(
                                "The XLSX file's table of texts has more than %(limit)s entries. "
                                "Save the report as CSV and try again."
                            ),
                            limit=f"{MAX_SHARED_STRINGS:,}".replace(",", " "),
                        )
        parser.close()
    return out


# --- cells and rows --------------------------------------------------------------------------
def _col_index(ref: str) -> int:
    """'C5' → 2 (0-based column); -1 when the reference has no letters."""
    n = 0
    for ch in ref:
        o = ord(ch)
        if 65 <= o <= 90:
            n = n * 26 + o - 64
        elif 97 <= o <= 122:
            n = n * 26 + o - 96
        else:
            break
    return n - 1


_MISSING = object()


def stream_values(path, progress: Callable[[float], None] | None = None) -> Iterator[list]:
    """Rows of the first sheet as lists of python-calamine-like values (None for an empty cell)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise StreamRefused(gettext_noop("The XLSX file cannot be read.")) from exc
    try:
        parts = workbook_parts(zf)
        strings = shared_strings(zf, parts["strings"])
        kinds = style_kinds(zf, parts["styles"])
        date1904 = parts["date1904"]
        info = zf.getinfo(parts["sheet"])
        total = max(info.file_size, 1)
        yield from _rows(zf, info, strings, kinds, date1904, total, progress)
    except (ET.ParseError, zipfile.BadZipFile, EOFError, OSError, ValueError, OverflowError) as exc:
        raise StreamRefused(gettext_noop("The XLSX file cannot be read.")) from exc
    finally:
        zf.close()


_SHEETDATA_RE = re.compile(rb"<((?:[\w.-]+:)?)sheetData(?:\s[^>]*?)?(/?)>")
_ROOT_RE = re.compile(rb"<((?:[\w.-]+:)?)worksheet(?:\s[^>]*)?>")
_WS = " \t\r\n"
MAX_ROW_BYTES = 32 * 1_048_576  # one <row> of XML; a real one is a few KiB at most


def _row_batches(fh):
    """The sheet XML in pieces that each parse on their own: whole <row> elements, wrapped in the
    worksheet's own start tag (so that its namespace declarations hold) and <sheetData>. Parsing
    a batch into a small tree and walking it costs far less than one Python event per element."""
    buf = b""
    while True:  # the part before <sheetData>
        chunk = fh.read(CHUNK)
        if not buf:
            _no_doctype(chunk)
        buf += chunk
        m = _SHEETDATA_RE.search(buf)
        if m:
            break
        if not chunk or len(buf) > MAX_ROW_BYTES:
            return  # no <sheetData>: no rows
    root = _ROOT_RE.search(buf, 0, m.start())
    if root is None or m.group(2):  # no <worksheet> before it, or <sheetData/>
        if root is None:
            raise StreamRefused(gettext_noop("The XLSX file cannot be read."))
        return
    prefix = m.group(1)
    opening = root.group(0) + m.group(0)
    closing = b"</" + prefix + b"sheetData></" + root.group(1) + b"worksheet>"
    end_tag = b"</" + prefix + b"row>"
    end_data = b"</" + prefix + b"sheetData>"
    buf = buf[m.end() :]
    while True:
        chunk = fh.read(CHUNK)
        buf += chunk
        cut = buf.rfind(end_tag)
        if not chunk:
            stop = buf.find(end_data)
            if stop < 0:
                raise StreamRefused(gettext_noop("The XLSX file cannot be read."))
            if stop:
                yield ET.fromstring(opening + buf[:stop] + closing)[0], len(chunk)  # noqa: S314 - no DOCTYPE (checked)
            return
        if cut < 0:
            if len(buf) > MAX_ROW_BYTES:
                raise StreamRefused(gettext_noop("The XLSX file cannot be read."))
            continue
        cut += len(end_tag)
        yield ET.fromstring(opening + buf[:cut] + closing)[0], len(chunk)  # noqa: S314 - no DOCTYPE (checked)
        buf = buf[cut:]


def _rows(zf, info, strings, kinds, date1904, total, progress):
    row_tag, c_tag, v_tag, is_tag, t_tag = f"{NS}row", f"{NS}c", f"{NS}v", f"{NS}is", f"{NS}t"
    nstrings, nkinds = len(strings), len(kinds)
    columns: dict[str, int] = {}  # "AB" → 27
    first_col = -1  # set by the first non-empty row
    width = 0
    next_row = 1  # the sheet row number the next yielded row has (empty rows are yielded only
    # before a non-empty row, so trailing empty rows are not)
    last_number = 0
    read = 0
    done = 0
    digits = "0123456789"
    with zf.open(info) as fh:
        for batch, nbytes in _row_batches(fh):
            read += nbytes
            for el in batch:
                if el.tag != row_tag:
                    continue
                r_attr = el.get("r")
                number = int(r_attr) if r_attr else last_number + 1
                last_number = number
                cells: dict[int, object] = {}
                pos = -1
                for c in el:
                    if c.tag != c_tag:
                        continue
                    ref = c.get("r")
                    if ref:
                        letters = ref.rstrip(digits)
                        pos = columns.get(letters, -2)
                        if pos == -2:
                            pos = columns[letters] = _col_index(letters)
                    else:
                        pos += 1
                    t = c.get("t")
                    if t == "inlineStr":
                        is_el = c.find(is_tag)
                        if is_el is None:
                            continue
                        t_el = is_el.find(t_tag)
                        if t_el is None:
                            value = _rich_text(is_el)
                        else:
                            text = t_el.text or ""
                            if text and (text[0] in _WS or text[-1] in _WS or "_x" in text):
                                value = _t_text(t_el)
                            else:
                                value = text
                    else:
                        v_el = c.find(v_tag)
                        if v_el is None:
                            continue
                        text = v_el.text or ""
                        if t is None or t == "n":
                            try:
                                if "_" in text or text != text.strip():
                                    raise ValueError(text)  # calamine keeps these as text
                                num = float(text)
                            except ValueError:
                                value = text
                            else:
                                s = c.get("s")
                                kind = kinds[int(s)] if s and s.isdigit() and int(s) < nkinds else ""
                                value = serial_value(num, kind, date1904) if kind else num
                        elif t == "s":
                            try:
                                i = int(text)
                            except ValueError:
                                continue
                            if not 0 <= i < nstrings:
                                continue
                            value = strings[i]
                        elif t == "b":
                            value = text.strip() in ("1", "true")
                        elif t == "str":
                            value = _unescape(text)
                        elif t == "e":
                            value = ""
                        elif t == "d":
                            value = _iso_value(text)
                        else:
                            value = text
                    cells[pos] = value
                done += 1
                if not cells:
                    continue
                if first_col < 0:
                    first_col = min(cells)
                    width = max(cells) - first_col + 1
                if min(cells) < first_col:
                    raise StreamRefused(
                        gettext_noop(
                            "Row %(row)s has a value left of the first column of the header row; "
                            "the report must start in the header row's first column."
                        ),
                        row=number,
                    )
                # empty rows before this one (gaps in the row numbers, and rows without values)
                while next_row < number:
                    yield [None] * width
                    next_row += 1
                size = max(width, max(cells) - first_col + 1)
                out = [None] * size
                for col, value in cells.items():
                    out[col - first_col] = value
                yield out
                next_row = number + 1
                if progress is not None and done % 20_000 == 0:
                    progress(read / total)
