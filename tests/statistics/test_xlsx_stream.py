"""The streaming XLSX reader (issue #8) gives the same rows as python-calamine."""

import random
import zipfile
from xml.sax.saxutils import escape

import pytest

from statistics import synthetic, xlsx_stream
from statistics.models import StatRow, Submission
from statistics.validation import COLUMNS, FileRefused, render_errors, xlsx_reader, xlsx_rows

from .factories import good_rows
from .test_file_checks import run

STYLES = (
    '<numFmts count="4"><numFmt numFmtId="164" formatCode="yyyy\\-mm"/>'
    '<numFmt numFmtId="165" formatCode="0.00"/><numFmt numFmtId="166" formatCode="[h]:mm"/>'
    '<numFmt numFmtId="167" formatCode="&quot;d&quot;0;yyyy"/></numFmts>'
    '<cellXfs count="8"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>'
    '<xf numFmtId="22"/><xf numFmtId="166"/><xf numFmtId="20"/><xf numFmtId="167"/></cellXfs>'
)


def write_raw(path, rows_xml: str, sst: list[str] | None = None, styles: str | None = STYLES, dimension=None):
    """An XLSX whose sheet XML is `rows_xml` (cells of any type), with optional shared strings
    (raw <si> bodies) and styles — for cell types synthetic.write_xlsx does not write."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Rapport" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId7" Type="{rel}/worksheet" Target="worksheets/data.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        )
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        zf.writestr(
            "xl/worksheets/data.xml",
            f'<?xml version="1.0"?><worksheet xmlns="{ns}">{dim}<sheetData>{rows_xml}</sheetData></worksheet>',
        )
        if sst is not None:
            zf.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{ns}">{"".join(sst)}</sst>')
        if styles is not None:
            zf.writestr("xl/styles.xml", f'<?xml version="1.0"?><styleSheet xmlns="{ns}">{styles}</styleSheet>')
    return path


@pytest.fixture
def stream(settings):
    """Force the streaming reader."""
    settings.STATISTICS_XLSX_STREAM_ROWS = 0
    settings.STATISTICS_XLSX_STREAM_MB = 0


def both(path, settings):
    """(rows read by calamine, rows read by the streaming reader), as text."""
    settings.STATISTICS_XLSX_STREAM_ROWS = 10**9
    settings.STATISTICS_XLSX_STREAM_MB = 10**6
    assert xlsx_reader(path) == "calamine"
    calamine = list(xlsx_rows(path))
    settings.STATISTICS_XLSX_STREAM_ROWS = 0
    settings.STATISTICS_XLSX_STREAM_MB = 0
    assert xlsx_reader(path) == "stream"
    streamed = list(xlsx_rows(path))
    return calamine, streamed


@pytest.mark.parametrize("shared_strings", [False, True])
def test_generated_reports_read_the_same(tmp_path, settings, shared_strings):
    rows = good_rows(500, seed=11)
    rng = random.Random(5)
    for row in rng.sample(rows, 60):  # empty cells in the middle and at the end of rows
        row[rng.choice(COLUMNS)] = ""
        row["yttrande_strengthens"] = ""
    path = synthetic.write_xlsx(tmp_path / "r.xlsx", synthetic.xlsx_items(rows), shared_strings=shared_strings)
    calamine, streamed = both(path, settings)
    assert len(calamine) == 501
    assert streamed == calamine


def _cell(ref, value, rng):
    """One cell of a random type holding `value` (a str, int, float or bool)."""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        styles = ["", ' s="0"', ' s="1"', ' s="2"', ' s="3"', ' s="4"', ' s="6"', ' s="7"']
        if abs(value) < 1e6:  # a huge duration ([h]:mm) is refused by both (test_huge_duration_is_refused)
            styles.append(' s="5"')
        style = rng.choice(styles)
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    kind = rng.choice(["inline", "inline-preserve", "str", "rich"])
    if kind == "inline":
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    if kind == "inline-preserve":
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    if kind == "str":
        return f'<c r="{ref}" t="str"><f>A1</f><v>{escape(value)}</v></c>'
    half = len(value) // 2
    return (
        f'<c r="{ref}" t="inlineStr"><is><r><t xml:space="preserve">{escape(value[:half])}</t></r>'
        f'<r><rPr/><t xml:space="preserve">{escape(value[half:])}</t></r><rPh><t>x</t></rPh></is></c>'
    )


VALUES = [
    "",
    " ",
    "ja",
    " nej ",
    "2026-03",
    "2026-03-15",
    "a_x000D_b",
    "åäö & <tag>",
    "19800101-0008",
    5,
    5.5,
    0.1,
    -0.0,
    123456789012,
    1e20,
    0.5,
    46082,
    46082.75,
    46082.999999999,
    60,
    61,
    1.5,
    True,
    False,
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_cell_type_reads_the_same(tmp_path, settings, seed):
    rng = random.Random(seed)
    sst = ["<si><t> padded </t></si>", '<si><t xml:space="preserve"> kept </t></si>', "<si><t/></si>"]
    sst += ["<si><r><t>ri</t></r><r><t>ch</t></r><rPh><t>PH</t></rPh></si>", "<si><t>2026-03</t></si>"]
    header = "".join(
        f'<c r="{synthetic._col(i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(COLUMNS)
    )
    xml = [f'<row r="1">{header}</row>']
    number = 1
    for _ in range(120):
        number += rng.choice([1, 1, 1, 2, 3])  # gaps: rows left out are empty rows
        cells = []
        for col in range(len(COLUMNS)):
            if rng.random() < 0.2:
                continue  # an empty cell (also at the end of a row)
            ref = f"{synthetic._col(col)}{number}"
            if rng.random() < 0.2:
                cells.append(f'<c r="{ref}" t="s"><v>{rng.randrange(len(sst))}</v></c>')
            elif rng.random() < 0.05:
                cells.append(f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>')
            elif rng.random() < 0.05:
                cells.append(f'<c r="{ref}" s="1"/>')  # styled, no value
            else:
                cells.append(_cell(ref, rng.choice(VALUES), rng))
        xml.append(f'<row r="{number}">{"".join(cells)}</row>')
    xml.append(f'<row r="{number + 3}"><c r="B{number + 3}" s="1"/></row>')  # trailing, no values
    path = write_raw(tmp_path / "t.xlsx", "".join(xml), sst=sst)
    calamine, streamed = both(path, settings)
    assert streamed == calamine


def test_rows_starting_below_row_one_and_without_references(tmp_path, settings):
    header = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in COLUMNS)
    data = "".join(f"<c><v>{i}</v></c>" for i in range(len(COLUMNS)))
    path = write_raw(tmp_path / "t.xlsx", f'<row r="3">{header}</row><row>{data}</row><row r="7">{data}</row>')
    calamine, streamed = both(path, settings)
    assert streamed == calamine
    assert streamed[0] == [""] * len(COLUMNS) and streamed[2] == list(COLUMNS)


@pytest.mark.django_db
@pytest.mark.parametrize("shared_strings", [False, True])
def test_whole_import_gives_the_same_submission(tmp_path, settings, shared_strings):
    rows = good_rows(300, seed=21)
    path = synthetic.write_xlsx(tmp_path / "r.xlsx", synthetic.xlsx_items(rows), shared_strings=shared_strings)

    def imported():
        sub = run(path)
        assert sub.status == Submission.Status.ACCEPTED, render_errors(sub.errors)
        fields = [f.name for f in StatRow._meta.fields if f.name not in ("id", "submission")]
        return sub.row_count, sorted(StatRow.objects.filter(submission=sub).values_list(*fields))

    settings.STATISTICS_XLSX_STREAM_ROWS = 10**9
    settings.STATISTICS_XLSX_STREAM_MB = 10**6
    with_calamine = imported()
    settings.STATISTICS_XLSX_STREAM_ROWS = 0
    settings.STATISTICS_XLSX_STREAM_MB = 0
    assert with_calamine[0] == 300 and imported() == with_calamine


@pytest.mark.django_db
def test_rejected_import_gives_the_same_errors(tmp_path, settings):
    rows = good_rows(60, seed=4)
    rows[9]["service"] = "radgivnin"
    rows[30]["application_date"] = "2026-02-30"
    path = synthetic.write_xlsx(tmp_path / "bad.xlsx", synthetic.xlsx_items(rows))
    settings.STATISTICS_XLSX_STREAM_ROWS = 10**9
    settings.STATISTICS_XLSX_STREAM_MB = 10**6
    expected = render_errors(run(path).errors)
    settings.STATISTICS_XLSX_STREAM_ROWS = 0
    settings.STATISTICS_XLSX_STREAM_MB = 0
    sub = run(path)
    assert sub.status == Submission.Status.REJECTED
    assert render_errors(sub.errors) == expected and len(expected) == 2


def test_reader_is_chosen_by_dimension_or_size(tmp_path, settings):
    settings.STATISTICS_XLSX_STREAM_ROWS = 1000
    settings.STATISTICS_XLSX_STREAM_MB = 100
    small = write_raw(tmp_path / "s.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:K1000")
    big = write_raw(tmp_path / "b.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:K1001")
    assert xlsx_reader(small) == "calamine" and xlsx_reader(big) == "stream"
    assert xlsx_stream.sheet_size(big)[1] == 1001
    # no <dimension>: the rows counted (or estimated from the first MiB) decide
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 1002))
    assert xlsx_reader(write_raw(tmp_path / "n.xlsx", rows)) == "stream"
    many = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{i}</t></is></c></row>' for i in range(1, 60_001))
    path = write_raw(tmp_path / "m.xlsx", many)  # 3 MiB of XML: estimated from the first MiB
    size, estimate = xlsx_stream.sheet_size(path)
    assert size > 2 * xlsx_stream.SAMPLE_BYTES and 57_000 < estimate < 63_000
    # the dimension may understate: the estimate wins
    path = write_raw(tmp_path / "d.xlsx", many, dimension="A1:A10")
    assert 57_000 < xlsx_stream.sheet_size(path)[1] < 63_000
    settings.STATISTICS_XLSX_STREAM_MB = 0  # no rows at all to count: the size decides
    assert xlsx_reader(write_raw(tmp_path / "e.xlsx", "")) == "stream"


def test_absurd_shared_strings_table_is_refused(tmp_path, stream, monkeypatch):
    monkeypatch.setattr(xlsx_stream, "MAX_SHARED_STRINGS", 10)
    path = synthetic.write_xlsx(tmp_path / "r.xlsx", synthetic.xlsx_items(good_rows(20, seed=2)), shared_strings=True)
    with pytest.raises(FileRefused) as exc:
        list(xlsx_rows(path))
    assert "table of texts" in exc.value.msgid
    monkeypatch.setattr(xlsx_stream, "MAX_SHARED_STRINGS_BYTES", 100)
    with pytest.raises(FileRefused) as exc:
        list(xlsx_rows(path))
    assert "too large" in exc.value.msgid


def test_doctype_and_broken_xml_are_refused(tmp_path, stream):
    evil = write_raw(tmp_path / "e.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(evil, "a") as zf:
        zf.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sst/>')
    with pytest.raises(FileRefused):
        list(xlsx_rows(evil))
    broken = write_raw(tmp_path / "b.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2">')
    with pytest.raises(FileRefused) as exc:
        list(xlsx_rows(broken))
    assert exc.value.msgid == "The XLSX file cannot be read."


def test_value_left_of_the_header_is_refused(tmp_path, stream):
    header = "".join(
        f'<c r="{synthetic._col(i + 1)}1" t="inlineStr"><is><t>{n}</t></is></c>' for i, n in enumerate(COLUMNS)
    )
    path = write_raw(tmp_path / "l.xlsx", f'<row r="1">{header}</row><row r="2"><c r="A2"><v>1</v></c></row>')
    with pytest.raises(FileRefused) as exc:
        list(xlsx_rows(path))
    assert exc.value.params == {"row": 2}


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("yyyy-mm-dd", "datetime"),
        ("DD/MM/YY", "datetime"),
        ("H:MM:SS;@", "datetime"),
        ("[h]:mm:ss", "timedelta"),
        ("[Blue]\\+[h]:mm;[Red]\\-[h]:mm", "timedelta"),
        ("0.00", ""),
        ("General", ""),
        ('"$"#,##0_);[Red]("$"#,##0)', ""),
        ("\\Y000000", ""),
        ("[>=100][Magenta].00", ""),
        ("#,##0*y", ""),
        ("ha/p\\\\m", "datetime"),
    ],
)
def test_number_format_kinds(code, kind):
    assert xlsx_stream.format_kind(code) == kind


def test_huge_duration_is_refused_by_both(tmp_path, settings):
    path = write_raw(tmp_path / "d.xlsx", '<row r="1"><c r="A1" s="5"><v>1e20</v></c></row>')
    for rows, mb in ((10**9, 10**6), (0, 0)):
        settings.STATISTICS_XLSX_STREAM_ROWS = rows
        settings.STATISTICS_XLSX_STREAM_MB = mb
        with pytest.raises(FileRefused) as exc:
            list(xlsx_rows(path))
        assert exc.value.msgid == "The XLSX file cannot be read."


@pytest.mark.parametrize("body", ["", '<row r="1"/>', '<row r="1"><c r="A1" s="1"/></row>'])
def test_empty_sheet_is_empty_for_both(tmp_path, settings, body):
    for name, sheet_data in (("a", f"<sheetData>{body}</sheetData>"), ("b", '<sheetData x="1"/>')):
        path = tmp_path / f"{name}.xlsx"
        write_raw(path, body)
        if name == "b":  # a self-closing <sheetData/> with an attribute
            with zipfile.ZipFile(path) as zf:
                parts = {n: zf.read(n) for n in zf.namelist()}
            sheet = parts["xl/worksheets/data.xml"].decode()
            parts["xl/worksheets/data.xml"] = (
                sheet[: sheet.index("<sheetData>")] + sheet_data + "</worksheet>"
            ).encode()
            with zipfile.ZipFile(path, "w") as zf:
                for n, data in parts.items():
                    zf.writestr(n, data)
        for rows, mb in ((10**9, 10**6), (0, 0)):
            settings.STATISTICS_XLSX_STREAM_ROWS = rows
            settings.STATISTICS_XLSX_STREAM_MB = mb
            with pytest.raises(FileRefused) as exc:
                list(xlsx_rows(path))
            assert exc.value.msgid == "The file is empty."
