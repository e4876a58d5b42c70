"""The fast path of the CSV import: column-wise validation with pyarrow, for files without errors.

The row-by-row checker (validation.make_row_checker) is the reference: it decides every file and
writes every error message. This module only *vouches* for a file that it can prove valid under
exactly the same rules, and produces exactly the same stored rows, much faster:

* pyarrow's C++ CSV reader parses the file in blocks (streamed, every cell a string);
* each per-cell rule runs once per *distinct* value (a month's file has a few thousand distinct
  dates and personnummer prefixes, a handful of codes) with the reference functions
  (`_prefix_info`, `datetime.date.fromisoformat`), and the answers are mapped back onto the rows
  with a dictionary encoding; the cross-column rules and the check digit are vectorised;
* the only per-row Python work is the HMAC pseudonym, from precomputed inner/outer pads
  (`Pseudonymiser`), about half the cost of `hmac.digest` per call;
* the rows go to PostgreSQL as one COPY (CSV format) written by pyarrow per block.

It is conservative: anything unusual (spaces around a value, "JA", an empty line, a wrong number
of values, a parse problem, a duplicate key, a row over the limit) raises `NotFast`; the caller
rolls back to a savepoint and the row-by-row checker reads the file again and decides, with its
messages. So a valid file is accepted by both paths with the same rows, and every error still
comes from the reference checker.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .validation import (
    COLUMNS,
    DECISIONS,
    OUTCOMES,
    SERVICE_INDEX,
    SERVICES,
    TRIGGERS,
    Pseudonymiser,
    _prefix_info,
    last_day,
)

BLOCK_BYTES = 4 << 20  # one parsed block ≈ 40,000 rows
XLSX_BATCH_ROWS = 20_000
DAY_OFFSET = 200_000  # days since 1970 + offset ≥ 0 for any year ≥ 1423, < 2**22 up to year 11000
OUTPUT_COLUMNS = (
    "submission_id",
    "pseudonym",
    "birth_year",
    "legal_sex",
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
DATE_COLUMNS = ("application_date", "decision_date", "first_contact_date", "outcome_date")


class NotFast(Exception):
    """The fast path cannot vouch for this file; the row-by-row checker decides."""


class _State:
    def __init__(self, period: datetime.date, key: bytes):
        self.period_str = f"{period.year:04d}-{period.month:02d}"
        self.period_end = last_day(period)
        self.pseudonymiser = Pseudonymiser(key)
        self.prefixes: dict[str, tuple | bool] = {}
        self.dates: dict[str, datetime.date | None | bool] = {}
        self.keys: list = []
        self.rows = 0


def _fail(mask) -> bool:
    """True when any row of a boolean mask (nulls count as false) is set."""
    import pyarrow.compute as pc

    return bool(pc.any(mask, skip_nulls=True).as_py())


def _codes(column, allowed: frozenset | dict):
    """Every value exactly one of `allowed` (no spaces, exact case), else NotFast."""
    import pyarrow.compute as pc

    for value in pc.unique(column).to_pylist():
        if value not in allowed:
            raise NotFast("code")


def _dates(column, state: _State):
    """date32 array (null for an empty cell); NotFast unless each value is '' or exactly an ISO
    date that `date.fromisoformat` accepts (the reference checker's rule, without its strip)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    values = []
    cache = state.dates
    fromiso = datetime.date.fromisoformat
    for raw in encoded.dictionary.to_pylist():
        value = cache.get(raw, False)
        if value is False:
            value = None
            if raw == "":
                value = None
            elif len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
                try:
                    value = fromiso(raw)
                except ValueError:
                    value = False
                if value is not False and value.isoformat() != raw:
                    value = False
            else:
                value = False
            cache[raw] = value
        if value is False:
            raise NotFast("date")
        values.append(value)
    return pc.take(pa.array(values, pa.date32()), encoded.indices)


def _check_batch(batch, names: list[str], state: _State, submission_id: int):
    """One parsed block → (RecordBatch of OUTPUT_COLUMNS, duplicate keys), or NotFast."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = {name: batch.column(i) for i, name in enumerate(names)}
    n = batch.num_rows
    # personnummer: 12 digits, or 8 + '-' + 4
    pnr = col["personnummer"]
    length = pc.binary_length(pnr)
    if _fail(pc.not_equal(length, 12)):
        long = pc.equal(length, 13)
        if _fail(pc.and_(pc.not_equal(length, 12), pc.invert(long))):
            raise NotFast("personnummer length")
        hyphen = pc.equal(pc.utf8_slice_codeunits(pnr, 8, 9), "-")
        if _fail(pc.and_(long, pc.invert(hyphen))):
            raise NotFast("personnummer hyphen")
        joined = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(pnr, 0, 8), pc.utf8_slice_codeunits(pnr, 9, 13), ""
        )
        pnr = pc.if_else(long, joined, pnr)
    if not pc.all(pc.match_substring_regex(pnr, r"^[0-9]{12}$")).as_py():
        raise NotFast("personnummer digits")
    prefix = pc.dictionary_encode(pc.utf8_slice_codeunits(pnr, 0, 8))
    partial, years = [], []
    for p in prefix.dictionary.to_pylist():
        info = state.prefixes.get(p)
        if info is None:
            info = state.prefixes[p] = _prefix_info(p) or False
        if info is False:
            raise NotFast("personnummer date")
        partial.append(info[0])
        years.append(int(info[1]))
    idx = prefix.indices
    doubled = pa.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], pa.int16())
    digit = [pc.cast(pc.utf8_slice_codeunits(pnr, k, k + 1), pa.int16()) for k in (8, 9, 10, 11)]
    total = pc.add(
        pc.add(pc.take(pa.array(partial, pa.int16()), idx), pc.take(doubled, digit[0])),
        pc.add(pc.add(digit[1], pc.take(doubled, digit[2])), digit[3]),
    )
    if _fail(pc.not_equal(pc.subtract(total, pc.multiply(pc.divide(total, 10), 10)), 0)):
        raise NotFast("check digit")
    # period and codes: exact values only
    if not pc.all(pc.equal(col["period"], state.period_str)).as_py():
        raise NotFast("period")
    _codes(col["service"], SERVICES)
    _codes(col["trigger"], TRIGGERS)
    _codes(col["decision"], DECISIONS)
    _codes(col["outcome"], OUTCOMES)
    _codes(col["yttrande_strengthens"], {"ja", "nej", ""})
    ad, dd, fc, od = (_dates(col[name], state) for name in DATE_COLUMNS)
    dec, out, svc, ys = col["decision"], col["outcome"], col["service"], col["yttrande_strengthens"]
    pending = pc.equal(dec, "pagaende")
    # the reference checker's cross-column rules, in its order
    end = pa.scalar(state.period_end, pa.date32())
    if ad.null_count or _fail(pc.greater(ad, end)):
        raise NotFast("application_date")
    if _fail(pc.and_(pc.is_null(dd), pc.invert(pending))) or _fail(pc.less(dd, ad)):
        raise NotFast("decision_date")
    if _fail(pc.and_(pc.is_valid(fc), pc.not_equal(dec, "beviljad"))) or _fail(pc.less(fc, dd)):
        raise NotFast("first_contact_date")
    if _fail(pc.and_(pc.is_null(od), pc.not_equal(out, "pagaende"))) or _fail(pc.less(od, dd)):
        raise NotFast("outcome_date")
    decided_yttrande = pc.and_(pc.equal(svc, "yttrande"), pc.invert(pending))
    empty_ys = pc.equal(ys, "")
    if _fail(pc.and_(decided_yttrande, empty_ys)) or _fail(pc.and_(pc.invert(decided_yttrande), pc.invert(empty_ys))):
        raise NotFast("yttrande_strengthens")
    # duplicate key (personnummer, service, application_date) as one uint64 per row
    service_index = pc.take(
        pa.array([SERVICE_INDEX[s] for s in sorted(SERVICE_INDEX)], pa.uint64()),
        pc.index_in(svc, pa.array(sorted(SERVICE_INDEX))),
    )
    days = pc.add(pc.cast(pc.cast(ad, pa.int32()), pa.int64()), DAY_OFFSET)
    key = pc.add(
        pc.multiply(pc.add(pc.multiply(pc.cast(pnr, pa.uint64()), 4), service_index), 1 << 22),
        pc.cast(days, pa.uint64()),
    )
    # output
    pseudonyms = state.pseudonymiser.hex_many(pc.cast(pnr, pa.binary()).to_pylist())
    sex = pc.take(pa.array(["F", "M"]), pc.bit_wise_and(digit[2], 1))
    strengthens = pc.take(pa.array([True, False, None], pa.bool_()), pc.index_in(ys, pa.array(["ja", "nej", ""])))
    out_batch = pa.RecordBatch.from_arrays(
        [
            pa.repeat(pa.scalar(submission_id, pa.int64()), n),
            pa.array(pseudonyms, pa.string()),
            pc.take(pa.array(years, pa.int16()), idx),
            sex,
            svc,
            col["trigger"],
            ad,
            dec,
            dd,
            fc,
            out,
            od,
            strengthens,
        ],
        names=list(OUTPUT_COLUMNS),
    )
    state.rows += n
    return out_batch, key


def import_csv(
    path: Path,
    names: list[str],
    delimiter: str,
    *,
    submission_id: int,
    period: datetime.date,
    key: bytes,
    max_rows: int,
    write: Callable[[bytes], None],
    progress: Callable[[float], None] | None = None,
) -> int:
    """Validate the CSV (header already checked, `names` its normalised columns) and hand COPY
    CSV-format bytes (OUTPUT_COLUMNS, no header) to `write`, block by block. Returns the row count
    or raises NotFast (then nothing written may be kept: the caller rolls back)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if sorted(names) != sorted(COLUMNS):
        raise NotFast("header")
    size = max(path.stat().st_size, 1)
    try:
        reader = pcsv.open_csv(
            str(path),
            # one thread: PostgreSQL's backend needs the other core for the COPY (measured: 6 % less
            # CPU per row than pyarrow's thread pool on the 2-vCPU box)
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_BYTES, use_threads=False),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise NotFast("parse") from exc

    def batches():
        blocks = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowInvalid, pa.ArrowException) as exc:
                raise NotFast("parse") from exc
            yield batch
            blocks += 1
            if progress is not None:
                progress(min(0.99, blocks * BLOCK_BYTES / size))

    return import_batches(
        batches(), names, submission_id=submission_id, period=period, key=key, max_rows=max_rows, write=write
    )


def xlsx_batches(rows: Iterator[list[str]], names: list[str], batch_rows: int = XLSX_BATCH_ROWS):
    """Rows of text cells (validation.xlsx_rows after its header) → RecordBatches of string
    columns; a row with another number of values than the header raises NotFast."""
    import pyarrow as pa

    ncols = len(names)
    chunk: list[list[str]] = []
    for cells in rows:
        if len(cells) != ncols:
            raise NotFast("values")
        chunk.append(cells)
        if len(chunk) >= batch_rows:
            yield _text_batch(chunk, names, pa)
            chunk = []
    if chunk:
        yield _text_batch(chunk, names, pa)


def _text_batch(chunk, names, pa):
    try:
        columns = [pa.array(column, pa.string()) for column in zip(*chunk, strict=True)]
        return pa.RecordBatch.from_arrays(columns, names=names)
    except (pa.ArrowException, TypeError) as exc:
        raise NotFast("cells") from exc


def import_batches(
    batches: Iterable,
    names: list[str],
    *,
    submission_id: int,
    period: datetime.date,
    key: bytes,
    max_rows: int,
    write: Callable[[bytes], None],
) -> int:
    """Validate RecordBatches of string columns named `names` (any order) and hand COPY
    CSV-format bytes (OUTPUT_COLUMNS) to `write`, batch by batch. The row count, or NotFast."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    if sorted(names) != sorted(COLUMNS):
        raise NotFast("header")
    state = _State(period, key)
    options = pcsv.WriteOptions(include_header=False, quoting_style="none")
    keys = state.keys
    for batch in batches:
        if batch.num_rows == 0:
            continue
        try:
            out, batch_keys = _check_batch(batch, names, state, submission_id)
        except pa.ArrowException as exc:  # e.g. a cast that does not fit: let the reference decide
            raise NotFast("arrow") from exc
        if state.rows > max_rows:
            raise NotFast("rows")
        keys.append(batch_keys)
        sink = io.BytesIO()
        try:
            pcsv.write_csv(out, sink, options)
        except pa.ArrowException as exc:  # a value that would need quoting: let the reference decide
            raise NotFast("write") from exc
        write(sink.getvalue())
    if keys:
        all_keys = pa.chunked_array(keys)
        if pc.count_distinct(all_keys).as_py() != len(all_keys):
            raise NotFast("duplicate")
    return state.rows
