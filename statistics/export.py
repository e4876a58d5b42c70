"""The pseudonymised person-level export for the external evaluator: the same columns as CSV and
as Parquet, described by the data dictionary (EXPORT_COLUMNS).

Both formats are streamed: the rows come from the database in chunks (a server-side cursor on
PostgreSQL), CSV is written line by line, Parquet one row group of ROW_GROUP_ROWS rows at a time
(pyarrow's ParquetWriter into a sink whose bytes are handed to the response after each row
group), so the whole export is never held in memory.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext_lazy

ROW_GROUP_ROWS = 50_000

# name, ORM field, Parquet/Arrow type (as text, resolved lazily), description
EXPORT_COLUMNS = [
    (
        "organisation_number",
        "submission__organisation__org_number",
        "string",
        gettext_lazy("The organisation's organisationsnummer"),
    ),
    ("period", "submission__period", "string", gettext_lazy("The reported month (YYYY-MM)")),
    (
        "pseudonym",
        "pseudonym",
        "string",
        gettext_lazy(
            "HMAC-SHA256 of the personnummer with the portal's secret key; the same person "
            "gets the same pseudonym in every month and organisation"
        ),
    ),
    ("birth_year", "birth_year", "int16", gettext_lazy("Birth year, from the personnummer")),
    (
        "legal_sex",
        "legal_sex",
        "string",
        gettext_lazy("Legal sex from the personnummer: M (odd second-to-last digit) or F (even)"),
    ),
    ("service", "service", "string", gettext_lazy("radgivning, forstarkt_stod, vagledning or yttrande")),
    (
        "trigger",
        "trigger",
        "string",
        gettext_lazy("arbetsbrist, sjukdom, tidsbegransad, anstalld or egenforetagare"),
    ),
    ("application_date", "application_date", "date32", gettext_lazy("Date of the application (YYYY-MM-DD)")),
    (
        "decision",
        "decision",
        "string",
        gettext_lazy("beviljad (granted), avslag (refused) or pagaende (not yet decided)"),
    ),
    ("decision_date", "decision_date", "date32", gettext_lazy("Date of the decision; empty while pending")),
    (
        "first_contact_date",
        "first_contact_date",
        "date32",
        gettext_lazy("Date of the first contact after a grant; may be empty"),
    ),
    (
        "outcome",
        "outcome",
        "string",
        gettext_lazy("nytt_arbete, studier, eget_foretag, annat or pagaende (still open)"),
    ),
    ("outcome_date", "outcome_date", "date32", gettext_lazy("Date of the outcome; empty while open")),
    (
        "yttrande_strengthens",
        "yttrande_strengthens",
        "bool",
        gettext_lazy("For a decided yttrande: ja (true) or nej (false); else empty"),
    ),
]
COLUMN_NAMES = [name for name, _field, _type, _help in EXPORT_COLUMNS]
ORM_FIELDS = [field for _name, field, _type, _help in EXPORT_COLUMNS]
I_PERIOD = COLUMN_NAMES.index("period")
I_STRENGTHENS = COLUMN_NAMES.index("yttrande_strengthens")

# What the data dictionary shows per type: (CSV, Parquet)
TYPE_LABELS = {
    "string": (gettext_lazy("text"), gettext_lazy("string (UTF-8)")),
    "int16": (gettext_lazy("integer"), "int16"),
    "date32": (gettext_lazy("YYYY-MM-DD; empty when there is none"), gettext_lazy("date32; null when there is none")),
    "bool": (gettext_lazy("ja, nej or empty"), gettext_lazy("boolean (true = ja); null when empty")),
}


def dictionary_rows() -> list[dict]:
    """The data dictionary: name, description and the type in each format."""
    return [
        {"name": name, "help": help_text, "csv_type": TYPE_LABELS[kind][0], "parquet_type": TYPE_LABELS[kind][1]}
        for name, _field, kind, help_text in EXPORT_COLUMNS
    ]


def _db_rows(qs) -> Iterator[tuple]:
    """Rows of the export as tuples in COLUMN_NAMES order; `period` as 'YYYY-MM'."""
    for values in qs.values_list(*ORM_FIELDS).iterator(chunk_size=5000):
        values = list(values)
        period: datetime.date = values[I_PERIOD]
        values[I_PERIOD] = f"{period.year:04d}-{period.month:02d}"
        yield values


class _Echo:
    def write(self, value):
        return value


def csv_chunks(qs) -> Iterator[str]:
    """CSV, UTF-8, with a header row; empty cell for none; ja/nej for yttrande_strengthens."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMN_NAMES)
    for values in _db_rows(qs):
        ys = values[I_STRENGTHENS]
        values[I_STRENGTHENS] = "" if ys is None else ("ja" if ys else "nej")
        yield writer.writerow(["" if v is None else v for v in values])


class _Chunks:
    """A write-only binary sink for pyarrow that keeps what was written until taken."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.position = 0
        self.closed = False

    def write(self, data) -> int:
        data = bytes(data)
        self.parts.append(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts = []
        return data


def arrow_schema():
    import pyarrow as pa

    types = {"string": pa.string(), "int16": pa.int16(), "date32": pa.date32(), "bool": pa.bool_()}
    return pa.schema(
        [
            pa.field(name, types[kind], nullable=kind in ("date32", "bool"), metadata={"description": str(help_text)})
            for name, _field, kind, help_text in EXPORT_COLUMNS
        ],
        metadata={"format": "omstallning statistics export v1"},
    )


def parquet_chunks_from_rows(rows: Iterable[list], row_group_rows: int = ROW_GROUP_ROWS) -> Iterator[bytes]:
    """Parquet (zstd) written one row group at a time; yields the bytes after each row group, and
    the footer at the end. An empty export is a valid file with the schema and no rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    sink = _Chunks()
    writer = pq.ParquetWriter(sink, schema, compression="zstd", use_dictionary=True, write_statistics=True)
    ncols = len(COLUMN_NAMES)

    def batch(columns):
        arrays = [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)]
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    try:
        columns: list[list] = [[] for _ in range(ncols)]
        count = 0
        for values in rows:
            for i in range(ncols):
                columns[i].append(values[i])
            count += 1
            if count >= row_group_rows:
                writer.write_batch(batch(columns), row_group_size=row_group_rows)
                columns = [[] for _ in range(ncols)]
                count = 0
                data = sink.take()
                if data:
                    yield data
        if count:
            writer.write_batch(batch(columns), row_group_size=row_group_rows)
    finally:
        writer.close()
    yield sink.take()


def parquet_chunks(qs, row_group_rows: int = ROW_GROUP_ROWS) -> Iterator[bytes]:
    return parquet_chunks_from_rows(_db_rows(qs), row_group_rows)
