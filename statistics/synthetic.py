"""Synthetic, valid format-v1 rows (fixed seed): demo data, tests and the benchmark.

Personnummer are generated with a valid check digit from random birth dates and serials; they are
synthetic and not meant to belong to anyone (the same generator with the same seed gives the same
numbers, so a demo person can be followed across months)."""

from __future__ import annotations

import csv
import datetime
import random
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from .validation import _DOUBLED, COLUMNS, last_day


def luhn_digit(nine: str) -> str:
    total = 0
    for pos, ch in enumerate(nine):
        d = ord(ch) - 48
        total += _DOUBLED[d] if pos % 2 == 0 else d
    return str((10 - total % 10) % 10)


def personnummer(rng: random.Random, *, coordination: bool = False) -> str:
    birth = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 45))
    day = birth.day + 60 if coordination else birth.day
    ymd = f"{birth.year:04d}{birth.month:02d}{day:02d}"
    serial = f"{rng.randrange(0, 1000):03d}"
    return ymd + serial + luhn_digit(ymd[2:] + serial)


def people(n: int, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    result, seen = [], set()
    while len(result) < n:
        p = personnummer(rng)
        if p not in seen:
            seen.add(p)
            result.append(p)
    return result


def case_row(rng: random.Random, pnr: str, period: datetime.date) -> dict:
    """One plausible case that was open during `period`."""
    end = last_day(period)
    service = rng.choices(["radgivning", "forstarkt_stod", "vagledning", "yttrande"], [60, 12, 18, 10])[0]
    trigger = rng.choices(
        ["arbetsbrist", "sjukdom", "tidsbegransad", "anstalld", "egenforetagare"], [45, 10, 20, 20, 5]
    )[0]
    applied = end - datetime.timedelta(days=rng.randrange(0, 400))
    decision = rng.choices(["beviljad", "avslag", "pagaende"], [75, 15, 10])[0]
    decided = None if decision == "pagaende" else min(applied + datetime.timedelta(days=rng.randrange(1, 30)), end)
    contact = None
    if decision == "beviljad" and rng.random() < 0.9:
        contact = min(decided + datetime.timedelta(days=rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 10, 14])), end)
    outcome, outcome_date = "pagaende", None
    if decided is not None and rng.random() < 0.55:
        outcome = rng.choices(["nytt_arbete", "studier", "eget_foretag", "annat"], [55, 20, 8, 17])[0]
        outcome_date = min(decided + datetime.timedelta(days=rng.randrange(20, 380)), end)
    strengthens = ""
    if service == "yttrande" and decision != "pagaende":
        strengthens = rng.choice(["ja", "ja", "nej"])
    return {
        "personnummer": pnr if rng.random() < 0.5 else f"{pnr[:8]}-{pnr[8:]}",
        "period": f"{period:%Y-%m}",
        "service": service,
        "trigger": trigger,
        "application_date": applied.isoformat(),
        "decision": decision,
        "decision_date": decided.isoformat() if decided else "",
        "first_contact_date": contact.isoformat() if contact else "",
        "outcome": outcome,
        "outcome_date": outcome_date.isoformat() if outcome_date else "",
        "yttrande_strengthens": strengthens,
    }


def rows(n: int, period: datetime.date, seed: int = 2026) -> Iterator[dict]:
    """n valid rows with unique (personnummer, service, application_date)."""
    rng = random.Random(seed)
    seen = set()
    while n > 0:
        row = case_row(rng, personnummer(rng), period)
        key = (row["personnummer"].replace("-", ""), row["service"], row["application_date"])
        if key in seen:
            continue
        seen.add(key)
        n -= 1
        yield row


def fast_rows(n: int, period: datetime.date, seed: int = 2026, templates: int = 5000) -> Iterator[dict]:
    """n valid rows quickly (benchmarks): `templates` random cases, each reused with a fresh,
    unique personnummer (birth date and serial from the row number)."""
    rng = random.Random(seed)
    cases = [case_row(rng, personnummer(rng), period) for _ in range(templates)]
    base = datetime.date(1958, 1, 1)
    days = 365 * 45
    for i in range(n):
        birth = base + datetime.timedelta(days=i % days)
        ymd = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        serial = f"{(i // days) % 1000:03d}"
        pnr = ymd + serial + luhn_digit(ymd[2:] + serial)
        row = dict(cases[i % templates])
        row["personnummer"] = pnr if i & 1 else f"{pnr[:8]}-{pnr[8:]}"
        yield row


def write_csv(path: Path, items: Iterable[dict], *, delimiter: str = ",", bom: bool = False) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(items)
    return path


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def write_xlsx(
    path: Path, items: Iterable[list], *, extra_parts: dict | None = None, shared_strings: bool = False
) -> Path:
    """A minimal XLSX (first sheet, inline strings) written with zipfile: fast and dependency-free.
    `items` are rows (lists of text). `extra_parts` adds zip members (tests: macros, links).
    `shared_strings=True` writes the strings as Excel does, in xl/sharedStrings.xml."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared_strings
            else ""
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Rapport" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/>'
            if shared_strings
            else ""
        )
        + "</Relationships>"
    )
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            buf = []
            letters = [_col(c) for c in range(64)]
            for r, row in enumerate(items, start=1):
                if shared_strings:
                    cells = "".join(
                        f'<c r="{letters[c]}{r}" t="s"><v>{strings.setdefault(str(v), len(strings))}</v></c>'
                        for c, v in enumerate(row)
                        if v != ""
                    )
                else:
                    cells = "".join(
                        f'<c r="{letters[c]}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
                        for c, v in enumerate(row)
                        if v != ""
                    )
                buf.append(f'<row r="{r}">{cells}</row>')
                if len(buf) >= 5000:
                    sheet.write("".join(buf).encode())
                    buf = []
            sheet.write("".join(buf).encode())
            sheet.write(b"</sheetData></worksheet>")
        if shared_strings:
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                part.write("".join(f"<si><t>{escape(text)}</t></si>" for text in strings).encode())
                part.write(b"</sst>")
        for name, data in (extra_parts or {}).items():
            zf.writestr(name, data)
    return path


def xlsx_items(items: Iterable[dict]) -> Iterator[list]:
    yield list(COLUMNS)
    for row in items:
        yield [row[c] for c in COLUMNS]
