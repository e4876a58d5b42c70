"""Whole-file refusals (one clear message) and the accepted file shapes: BOM, ';', XLSX."""

import zipfile

import pytest

from statistics import services, synthetic
from statistics.models import StatRow, Submission
from statistics.validation import COLUMNS, render_errors

from .factories import PERIOD, OrganisationFactory, csv_text, good_rows, write


def run(path):
    org = OrganisationFactory()
    sub = services.submission_create(organisation=org, period=PERIOD, file=path, enqueue=False)
    return services.submission_import(sub.pk).submission


def only_message(sub):
    assert sub.status == Submission.Status.REJECTED
    errors = render_errors(sub.errors)
    assert sub.error_count == len(errors) == 1, errors
    assert errors[0]["row"] is None
    assert not StatRow.objects.exists()
    return errors[0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_empty_file(tmp_path, content):
    assert only_message(run(write(tmp_path, content))) == "Filen är tom."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7\n...", b"\x00\x01binary", "personnummer;period\n".encode("utf-16"), b"\xd0\xcf\x11\xe0old xls"],
)
def test_not_csv_or_xlsx(tmp_path, content):
    assert "varken CSV" in only_message(run(write(tmp_path, content)))


@pytest.mark.django_db
def test_latin1_csv_is_refused(tmp_path):
    text = csv_text(good_rows(2)).replace("radgivning", "rådgivning")
    assert "varken CSV (UTF-8)" in only_message(run(write(tmp_path, text, encoding="latin-1")))


@pytest.mark.django_db
def test_file_over_the_size_limit(tmp_path, settings):
    settings.STATISTICS_MAX_UPLOAD_MB = 1
    text = csv_text(good_rows(12_000))
    assert len(text.encode()) > 1_048_576
    assert "för stor" in only_message(run(write(tmp_path, text)))


@pytest.mark.django_db
def test_too_many_rows(tmp_path, settings):
    settings.STATISTICS_MAX_ROWS = 10
    assert "fler än 10 rader" in only_message(run(write(tmp_path, csv_text(good_rows(11)))))
    assert run(write(tmp_path, csv_text(good_rows(10)))).status == Submission.Status.ACCEPTED


@pytest.mark.django_db
def test_missing_unknown_and_repeated_columns(tmp_path):
    columns = [c for c in COLUMNS if c != "trigger"] + ["kommun", "service"]
    sub = run(write(tmp_path, csv_text(good_rows(2), columns=columns)))
    errors = render_errors(sub.errors)
    assert sub.status == Submission.Status.REJECTED
    assert {(e["row"], e["column"]) for e in errors} == {(1, "trigger"), (1, "kommun"), (1, "service")}
    assert not StatRow.objects.exists()


@pytest.mark.django_db
def test_semicolon_bom_any_column_order_and_header_only(tmp_path):
    columns = list(reversed(COLUMNS))
    text = "\ufeff" + csv_text(good_rows(30), delimiter=";", columns=columns).replace("\n", "\r\n")
    sub = run(write(tmp_path, text))
    assert sub.status == Submission.Status.ACCEPTED, render_errors(sub.errors)
    assert sub.row_count == 30 and sub.file_format == "csv"
    sub = run(write(tmp_path, ",".join(COLUMNS) + "\n", name="tom.csv"))
    assert (sub.status, sub.row_count) == (Submission.Status.ACCEPTED, 0)


@pytest.mark.django_db
def test_xlsx_is_read_with_row_numbers_as_in_the_sheet(tmp_path):
    rows = good_rows(40)
    path = synthetic.write_xlsx(tmp_path / "r.xlsx", synthetic.xlsx_items(rows))
    sub = run(path)
    assert (sub.status, sub.row_count, sub.file_format) == (Submission.Status.ACCEPTED, 40, "xlsx")
    rows[9]["service"] = "radgivnin"
    sub = run(synthetic.write_xlsx(tmp_path / "bad.xlsx", synthetic.xlsx_items(rows)))
    assert render_errors(sub.errors) == [{"row": 11, "column": "service", "message": "okänd tjänst 'radgivnin'"}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("part", "text"),
    [
        ("xl/vbaProject.bin", "makron"),
        ("xl/externalLinks/externalLink1.xml", "externa länkar"),
    ],
)
def test_xlsx_with_macros_or_external_links_is_refused(tmp_path, part, text):
    path = synthetic.write_xlsx(tmp_path / "r.xlsx", synthetic.xlsx_items(good_rows(3)), extra_parts={part: b"x"})
    assert text in only_message(run(path))


@pytest.mark.django_db
def test_zip_bomb_is_refused_before_reading(tmp_path, monkeypatch):
    path = synthetic.write_xlsx(tmp_path / "r.xlsx", synthetic.xlsx_items(good_rows(3)))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/bomb.bin", b"\0" * 50_000_000)  # ratio about 1000:1

    def explode(*args, **kwargs):
        raise AssertionError("the workbook must not be opened")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_path", explode)
    assert "orimlig storlek" in only_message(run(path))


@pytest.mark.django_db
def test_total_uncompressed_size_is_limited(tmp_path, settings):
    settings.STATISTICS_MAX_UNCOMPRESSED_MB = 1
    path = synthetic.write_xlsx(tmp_path / "r.xlsx", synthetic.xlsx_items(good_rows(6000)))
    assert "orimlig storlek" in only_message(run(path))
