"""The column-wise fast path (statistics/fastpath.py) against the row-by-row reference checker:
for every file, either the fast path steps aside (NotFast) or both accept it with exactly the
same stored rows. It never accepts a file the reference rejects."""

import csv
import datetime
import hashlib
import hmac

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statistics import fastpath, synthetic
from statistics.validation import (
    COLUMNS,
    ErrorLog,
    FileRefused,
    Pseudonymiser,
    check_header,
    csv_delimiter,
    csv_rows,
    make_row_checker,
    xlsx_rows,
)

from .factories import PERIOD, good_rows

KEY = b"test-key-for-the-fast-path"


def reference(path):
    """(accepted, rows) by the row-by-row checker; rows as tuples of text or None."""
    rows = csv_rows(path)
    header = next(rows)
    log = ErrorLog()
    assert check_header(header, log)
    check = make_row_checker(header, PERIOD, KEY, log)
    out, number = [], 1
    for cells in rows:
        number += 1
        line = check(cells, number)
        if line is not None:
            values = line.rstrip("\n").split("\t")
            out.append(tuple(None if v == "\\N" else {"t": "true", "f": "false"}.get(v, v) for v in values))
    return log.total == 0, out


def fast(path, block_bytes=None, monkeypatch=None):
    """The fast path's rows (without submission_id), or None when it steps aside."""
    if block_bytes:
        monkeypatch.setattr(fastpath, "BLOCK_BYTES", block_bytes)
    header = next(csv_rows(path))
    check_header(header, ErrorLog())
    written = []
    try:
        count = fastpath.import_csv(
            path,
            header,
            csv_delimiter(path),
            submission_id=7,
            period=PERIOD,
            key=KEY,
            max_rows=1_000_000,
            write=written.append,
        )
    except fastpath.NotFast:
        return None
    text = b"".join(written).decode()
    rows = [tuple(None if v == "" else v for v in r) for r in csv.reader(text.splitlines())]
    assert len(rows) == count and all(r[0] == "7" for r in rows)
    return [r[1:] for r in rows]


def write_rows(tmp_path, rows, *, delimiter=",", bom=False, newline="\n", name="f.csv", raw_lines=()):
    lines = [delimiter.join(COLUMNS)]
    for row in rows:
        lines.append(delimiter.join(row.get(c, "") for c in COLUMNS))
    lines.extend(raw_lines)
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + newline.join(lines) + newline).encode())
    return path


def test_pseudonymiser_is_hmac_sha256():
    for key in (b"k", b"x" * 64, b"y" * 100):
        for message in (b"", b"198001011234", b"z" * 200):
            assert Pseudonymiser(key).hex_many([message]) == [hmac.new(key, message, hashlib.sha256).hexdigest()]


def test_valid_files_give_the_same_rows(tmp_path, monkeypatch):
    rows = good_rows(3000, seed=42)
    coordination = synthetic.personnummer(__import__("random").Random(1), coordination=True)
    rows[5]["personnummer"] = coordination  # samordningsnummer (day + 60)
    for variant in (
        {},
        {"delimiter": ";", "bom": True},
        {"newline": "\r\n"},
    ):
        path = write_rows(tmp_path, rows, **variant)
        accepted, expected = reference(path)
        assert accepted
        got = fast(path, block_bytes=64 * 1024, monkeypatch=monkeypatch)  # many blocks
        assert got == expected, variant
    quoted = tmp_path / "quoted.csv"
    with open(quoted, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows[:50])
    assert fast(quoted) == reference(quoted)[1]
    reordered = tmp_path / "reordered.csv"
    with open(reordered, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(reversed(COLUMNS)))
        writer.writeheader()
        writer.writerows(rows[:50])
    assert fast(reordered) == reference(reordered)[1]


CHANGES = [
    ("personnummer", " {pnr}"),
    ("personnummer", "{pnr}x"),
    ("personnummer", "19800230-0000"),
    ("personnummer", "check"),
    ("personnummer", "1880-0101-1234"),
    ("personnummer", ""),
    ("period", "2026-04"),
    ("period", " 2026-03"),
    ("service", "Radgivning"),
    ("service", "radgivning "),
    ("trigger", "okand"),
    ("decision", "BEVILJAD"),
    ("decision", "avslag"),
    ("decision", "pagaende"),
    ("outcome", "nytt_arbete"),
    ("outcome", "pagaende"),
    ("application_date", "2026-02-30"),
    ("application_date", "2026-3-02"),
    ("application_date", " 2026-03-02"),
    ("application_date", "2026-04-01"),
    ("application_date", ""),
    ("application_date", "2020-01-01"),
    ("decision_date", ""),
    ("decision_date", "2019-01-01"),
    ("decision_date", "2026-03-31"),
    ("first_contact_date", "2026-03-01"),
    ("first_contact_date", "1999-12-31"),
    ("outcome_date", ""),
    ("outcome_date", "2026-03-31"),
    ("outcome_date", "2000-01-01"),
    ("yttrande_strengthens", "JA"),
    ("yttrande_strengthens", "ja"),
    ("yttrande_strengthens", "nej"),
    ("yttrande_strengthens", "kanske"),
]


@pytest.mark.parametrize(("column", "value"), CHANGES)
def test_changed_cells_never_let_the_fast_path_accept_what_the_reference_refuses(tmp_path, column, value):
    rows = good_rows(200, seed=9)
    for i in (3, 120, 199):  # rows of different kinds
        rows[i][column] = value.format(pnr=rows[i]["personnummer"])
    path = write_rows(tmp_path, rows)
    accepted, expected = reference(path)
    got = fast(path)
    if not accepted:
        assert got is None
    elif got is not None:
        assert got == expected


@pytest.mark.parametrize(
    "raw_lines",
    [
        [""],  # an empty line (the reference skips it)
        [",,,,,,,,,,"],
        ["a,b"],  # too few values
        ["1,2,3,4,5,6,7,8,9,10,11,12"],  # too many
        ['"unterminated'],
    ],
)
def test_odd_lines(tmp_path, raw_lines):
    path = write_rows(tmp_path, good_rows(20, seed=4), raw_lines=raw_lines)
    accepted, expected = reference(path) if _readable(path) else (False, None)
    got = fast(path)
    if not accepted:
        assert got is None
    elif got is not None:
        assert got == expected


def _readable(path):
    try:
        reference(path)
    except Exception:  # noqa: BLE001 - the reference refuses the file as a whole
        return False
    return True


def test_duplicate_key_and_header_only(tmp_path, monkeypatch):
    rows = good_rows(100, seed=3)
    rows.append(dict(rows[10], personnummer=rows[10]["personnummer"].replace("-", "")))
    path = write_rows(tmp_path, rows)
    assert reference(path)[0] is False
    assert fast(path, block_bytes=4096, monkeypatch=monkeypatch) is None  # found across blocks
    other_service = dict(rows[10], service="vagledning" if rows[10]["service"] != "vagledning" else "radgivning")
    other_service["yttrande_strengthens"] = ""
    path = write_rows(tmp_path, [*rows[:-1], other_service], name="g.csv")
    assert reference(path)[0] is True
    assert fast(path) == reference(path)[1]
    header_only = write_rows(tmp_path, [], name="h.csv")
    assert fast(header_only) in (None, [])


def test_more_rows_than_the_limit_is_left_to_the_reference(tmp_path):
    path = write_rows(tmp_path, good_rows(30, seed=5))
    header = next(csv_rows(path))
    check_header(header, ErrorLog())
    with pytest.raises(fastpath.NotFast):
        fastpath.import_csv(
            path, header, ",", submission_id=1, period=PERIOD, key=KEY, max_rows=29, write=lambda b: None
        )


def test_other_period_is_not_fast(tmp_path):
    rows = good_rows(10, seed=6)
    path = write_rows(tmp_path, rows)
    header = next(csv_rows(path))
    check_header(header, ErrorLog())
    with pytest.raises(fastpath.NotFast):
        fastpath.import_csv(
            path,
            header,
            ",",
            submission_id=1,
            period=datetime.date(2026, 4, 1),
            key=KEY,
            max_rows=100,
            write=lambda b: None,
        )


def _xlsx_reference(path):
    rows = xlsx_rows(path)
    header = next(rows)
    log = ErrorLog()
    assert check_header(header, log)
    check = make_row_checker(header, PERIOD, KEY, log)
    out = []
    for number, cells in enumerate(rows, start=2):
        line = check(cells, number)
        if line is not None:
            values = line.rstrip("\n").split("\t")
            out.append(tuple(None if v == "\\N" else {"t": "true", "f": "false"}.get(v, v) for v in values))
    return log.total == 0, out


def _xlsx_fast(path):
    rows = xlsx_rows(path)
    header = next(rows)
    check_header(header, ErrorLog())
    written = []
    try:
        fastpath.import_batches(
            fastpath.xlsx_batches(rows, header, batch_rows=70),
            header,
            submission_id=3,
            period=PERIOD,
            key=KEY,
            max_rows=1_000_000,
            write=written.append,
        )
    except fastpath.NotFast:
        return None
    text = b"".join(written).decode()
    return [tuple(None if v == "" else v for v in r)[1:] for r in csv.reader(text.splitlines())]


@pytest.mark.parametrize("shared_strings", [False, True])
def test_xlsx_fast_path_gives_the_same_rows(tmp_path, shared_strings):
    rows = good_rows(300, seed=8)
    path = synthetic.write_xlsx(tmp_path / "r.xlsx", synthetic.xlsx_items(rows), shared_strings=shared_strings)
    accepted, expected = _xlsx_reference(path)
    assert accepted and _xlsx_fast(path) == expected
    rows[150]["decision_date"] = "2019-01-01"  # before the application date
    bad = synthetic.write_xlsx(tmp_path / "bad.xlsx", synthetic.xlsx_items(rows), shared_strings=shared_strings)
    assert _xlsx_reference(bad)[0] is False and _xlsx_fast(bad) is None


_tricky = st.text(max_size=14) | st.sampled_from(
    [
        "",
        " ",
        "ja",
        "JA",
        "nej",
        "Nej ",
        "2026-03",
        "2026-02",
        "2026-03-15",
        "2026-03-31",
        "2026-04-01",
        "2026-02-29",
        "2024-02-29",
        "1999-12-31",
        "2026-W10-1",
        "195801010009",
        "19580101-0009",
        "195801610003",
        "radgivning",
        "yttrande",
        "beviljad",
        "avslag",
        "pagaende",
        "nytt_arbete",
        "annat",
        "sjukdom",
        '"',
        ",",
        ";",
        "\t",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(COLUMNS), _tricky),
        min_size=1,
        max_size=3,
    ),
    delimiter=st.sampled_from([",", ";"]),
)
def test_fuzzed_cells_fast_path_agrees_with_the_reference(tmp_path_factory, changes, delimiter):
    rows = good_rows(6, seed=12)
    for index, column, value in changes:
        rows[index][column] = value
    path = tmp_path_factory.mktemp("fz") / "f.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    try:
        accepted, expected = reference(path)
    except FileRefused:
        accepted, expected = False, None
    got = fast(path)
    if not accepted:
        assert got is None
    elif got is not None:
        assert got == expected
