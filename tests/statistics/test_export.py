"""The evaluator's export as Parquet: the same rows and columns as the CSV, with proper types,
written one row group at a time (streamed), read back with pyarrow; the data dictionary lists
both formats."""

import csv
import datetime
import io

import pyarrow.parquet as pq
import pytest
from django.urls import reverse

from omstallning.accounts.roles import Role
from statistics import export, services
from tests.factories import UserFactory

from .factories import PERIOD, OrganisationFactory, csv_text, good_rows, write


def import_rows(tmp_path, org, rows, period=PERIOD):
    path = write(tmp_path, csv_text(rows), name=f"{org.pk}-{period}.csv")
    sub = services.submission_create(organisation=org, period=period, file=path, enqueue=False)
    result = services.submission_import(sub.pk).submission
    assert result.status == "accepted", result.errors
    return result


@pytest.fixture
def analyst(db, client):
    user = UserFactory(role=Role.ANALYST)
    client.force_login(user)
    return user


def _rows_with_every_kind_of_value():
    rows = good_rows(9, seed=21)
    rows[0].update(service="yttrande", decision="beviljad", yttrande_strengthens="ja")
    rows[1].update(service="yttrande", decision="avslag", first_contact_date="", yttrande_strengthens="nej")
    rows[2].update(decision="pagaende", decision_date="", first_contact_date="", outcome="pagaende", outcome_date="")
    return rows


@pytest.mark.django_db
def test_parquet_export_has_the_csv_rows_with_types(tmp_path, client, analyst):
    org = OrganisationFactory(org_number="802000-0009")
    rows = _rows_with_every_kind_of_value()
    import_rows(tmp_path, org, rows)
    params = {"period_from": "2026-03", "period_to": "2026-03"}
    response = client.get(reverse("statistics:export-parquet"), params)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert response["Content-Disposition"].endswith('.parquet"')
    data = b"".join(response.streaming_content)
    assert data[:4] == b"PAR1" and data[-4:] == b"PAR1"
    table = pq.read_table(io.BytesIO(data))
    assert table.column_names == export.COLUMN_NAMES
    types = {field.name: str(field.type) for field in table.schema}
    assert types["birth_year"] == "int16" and types["period"] == "string"
    assert types["application_date"] == types["decision_date"] == "date32[day]"
    assert types["yttrande_strengthens"] == "bool"
    assert table.schema.field("pseudonym").metadata[b"description"].startswith(b"HMAC-SHA256")

    parquet_rows = table.to_pylist()
    text = b"".join(client.get(reverse("statistics:export"), params).streaming_content).decode()
    csv_rows = list(csv.DictReader(io.StringIO(text)))
    assert len(parquet_rows) == len(csv_rows) == 9
    for p, c in zip(parquet_rows, csv_rows, strict=True):  # same rows, same order
        shown = {
            k: ("" if v is None else v.isoformat() if isinstance(v, datetime.date) else str(v)) for k, v in p.items()
        }
        shown["yttrande_strengthens"] = {None: "", True: "ja", False: "nej"}[p["yttrande_strengthens"]]
        assert shown == c
    assert {r["yttrande_strengthens"] for r in parquet_rows} == {True, False, None}
    assert any(r["decision_date"] is None for r in parquet_rows)
    for row in rows:
        pnr = row["personnummer"].replace("-", "")
        assert all(pnr not in str(v) for r in parquet_rows for v in r.values())


@pytest.mark.django_db
def test_parquet_export_follows_the_filters_and_is_valid_when_empty(tmp_path, client, analyst):
    org = OrganisationFactory()
    import_rows(tmp_path, org, good_rows(6, seed=5))
    empty = b"".join(client.get(reverse("statistics:export-parquet"), {"period_from": "2026-04"}).streaming_content)
    table = pq.read_table(io.BytesIO(empty))
    assert table.num_rows == 0 and table.column_names == export.COLUMN_NAMES
    males = b"".join(client.get(reverse("statistics:export-parquet"), {"sex": "M"}).streaming_content)
    sexes = set(pq.read_table(io.BytesIO(males)).column("legal_sex").to_pylist())
    assert sexes <= {"M"}


def test_parquet_is_written_one_row_group_at_a_time():
    """Bytes leave after each row group; the reader sees the row groups and every row."""
    day = datetime.date(2026, 3, 2)

    def rows(n):
        for i in range(n):
            yield [
                "802000-0009", "2026-03", f"{i:064x}", 1960 + i % 40, "MF"[i % 2], "radgivning", "arbetsbrist",
                day, "beviljad", day, None, "pagaende", None, None,
            ]  # fmt: skip

    chunks = list(export.parquet_chunks_from_rows(rows(23), row_group_rows=5))
    assert len(chunks) >= 5  # four full row groups handed on before the footer
    assert all(chunks[:-1])
    parquet = pq.ParquetFile(io.BytesIO(b"".join(chunks)))
    assert parquet.metadata.num_row_groups == 5 and parquet.metadata.num_rows == 23
    assert parquet.read().column("birth_year").to_pylist() == [1960 + i % 40 for i in range(23)]


@pytest.mark.django_db
def test_parquet_export_for_analysts_only_and_in_the_dictionary(client, analyst):
    page = client.get(reverse("statistics:data-dictionary")).content.decode()
    assert "Parquet" in page and "<code>int16</code>" in page and "<code>date32" in page
    assert reverse("statistics:export-parquet") in client.get(reverse("statistics:dashboard")).content.decode()
    client.force_login(UserFactory(role=Role.ORGANISATION_REPORTER))
    assert client.get(reverse("statistics:export-parquet")).status_code == 404
