"""Fuzzing the statistics parser: any file is accepted or refused with FileRefused (a message
for the reporter), and any row of a valid header is either a row or row errors; nothing else."""

import contextlib
import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statistics.validation import (
    COLUMNS,
    ErrorLog,
    FileRefused,
    Limits,
    check_header,
    csv_rows,
    make_row_checker,
    sniff,
    xlsx_rows,
)

LIMITS = Limits(max_bytes=1_048_576, max_rows=10_000, max_uncompressed=10_485_760, max_ratio=100)
PERIOD = datetime.date(2026, 3, 1)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

cell = st.text(max_size=20) | st.sampled_from(["", "ja", "nej", "2026-03", "2026-03-15", "191212121212", "x" * 300])
header_line = ",".join(COLUMNS)


def read_all(path):
    """What the import does with a file: sniff, then read every row and check it."""
    kind = sniff(path, LIMITS)
    rows = (csv_rows if kind == "csv" else xlsx_rows)(path)
    errors = ErrorLog()
    header = next(iter(rows), None)
    if header is None or not check_header(list(header), errors):
        return errors
    checker = make_row_checker([h.strip().lower().lstrip("\ufeff") for h in header], PERIOD, b"k" * 32, errors)
    for n, cells in enumerate(rows, start=2):
        checker(cells, n)
    return errors


@FUZZ
@given(content=st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("f") / "upload"
    path.write_bytes(content)
    with contextlib.suppress(FileRefused):
        read_all(path)


@FUZZ
@given(
    lines=st.lists(st.lists(cell, min_size=0, max_size=len(COLUMNS) + 2), max_size=20), sep=st.sampled_from([",", ";"])
)
def test_any_rows_under_a_valid_header_are_checked(tmp_path_factory, lines, sep):
    text = (
        header_line.replace(",", sep)
        + "\n"
        + "\n".join(sep.join(c.replace("\n", " ") for c in line) for line in lines)
    )
    path = tmp_path_factory.mktemp("f") / "upload.csv"
    path.write_text(text, encoding="utf-8")
    try:
        errors = read_all(path)
    except FileRefused:
        return
    assert errors is not None


@FUZZ
@given(cells=st.lists(cell, min_size=len(COLUMNS), max_size=len(COLUMNS)))
def test_row_checker_returns_a_row_or_records_errors(cells):
    errors = ErrorLog()
    checker = make_row_checker(list(COLUMNS), PERIOD, b"k" * 32, errors)
    line = checker(cells, 2)
    if line is None:
        assert errors.total > 0  # a refused row says why
    else:
        assert isinstance(line, str)
