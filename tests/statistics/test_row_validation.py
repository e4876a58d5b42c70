"""Every kind of bad cell in statistics-v1.md gives a row-level error naming the row and column;
a file with any error is rejected whole and nothing of it is stored."""

import pytest

from statistics import services
from statistics.models import StatRow, Submission
from statistics.validation import render_errors

from .factories import PERIOD, OrganisationFactory, csv_text, good_rows, write

BASE = {
    "personnummer": "19800101-0001",  # valid check digit
    "period": "2026-03",
    "service": "radgivning",
    "trigger": "arbetsbrist",
    "application_date": "2026-02-01",
    "decision": "beviljad",
    "decision_date": "2026-02-05",
    "first_contact_date": "2026-02-08",
    "outcome": "nytt_arbete",
    "outcome_date": "2026-03-20",
    "yttrande_strengthens": "",
}


def run(tmp_path, rows, **kwargs):
    org = OrganisationFactory()
    path = write(tmp_path, csv_text(rows, **kwargs))
    sub = services.submission_create(organisation=org, period=PERIOD, file=path, enqueue=False)
    return services.submission_import(sub.pk).submission


@pytest.mark.django_db
def test_base_row_is_valid(tmp_path):
    sub = run(tmp_path, [BASE])
    assert sub.status == Submission.Status.ACCEPTED, render_errors(sub.errors)
    row = StatRow.objects.get(submission=sub)
    assert (row.birth_year, row.legal_sex, row.decision_date.isoformat()) == (1980, "F", "2026-02-05")


BAD = [
    ({"personnummer": "19800101-0002"}, "personnummer", "ogiltigt personnummer (kontrollsiffra)"),
    ({"personnummer": "8001010008"}, "personnummer", "ogiltigt personnummer (format"),
    ({"personnummer": "19801301-0007"}, "personnummer", "ogiltigt personnummer (datum)"),
    ({"personnummer": "abc"}, "personnummer", "ogiltigt personnummer"),
    ({"period": "2026-04"}, "period", "2026-03"),
    ({"period": "2026-3"}, "period", "2026-03"),
    ({"service": "radgivnin"}, "service", "okänd tjänst 'radgivnin'"),
    ({"trigger": "uppsagd"}, "trigger", "okänd orsak 'uppsagd'"),
    ({"application_date": "2026-02-30"}, "application_date", "ogiltigt datum"),
    ({"application_date": "20260201"}, "application_date", "ogiltigt datum"),
    ({"application_date": ""}, "application_date", "krävs"),
    (
        {
            "application_date": "2026-04-01",
            "decision": "pagaende",
            "decision_date": "",
            "first_contact_date": "",
            "outcome": "pagaende",
            "outcome_date": "",
        },
        "application_date",
        "efter periodens slut",
    ),
    ({"decision": "ja"}, "decision", "okänt beslut 'ja'"),
    ({"decision_date": ""}, "decision_date", "krävs"),
    ({"decision_date": "2026-01-01", "first_contact_date": ""}, "decision_date", "före ansökningsdatum"),
    ({"decision": "avslag", "outcome": "pagaende", "outcome_date": ""}, "first_contact_date", "beviljad"),
    ({"first_contact_date": "2026-02-04"}, "first_contact_date", "före beslutsdatum"),
    ({"outcome": "pension"}, "outcome", "okänt utfall 'pension'"),
    ({"outcome_date": ""}, "outcome_date", "krävs"),
    ({"outcome_date": "2026-02-04"}, "outcome_date", "före beslutsdatum"),
    ({"service": "yttrande"}, "yttrande_strengthens", "krävs"),
    ({"yttrande_strengthens": "ja"}, "yttrande_strengthens", "ska vara tomt"),
    ({"service": "yttrande", "yttrande_strengthens": "kanske"}, "yttrande_strengthens", "okänt värde 'kanske'"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "column", "text"), BAD, ids=[f"{c}-{i}" for i, (_, c, _) in enumerate(BAD)])
def test_bad_cell_rejects_the_file(tmp_path, change, column, text):
    rows = good_rows(3)
    rows.insert(1, {**BASE, **change})
    sub = run(tmp_path, rows)
    assert sub.status == Submission.Status.REJECTED
    errors = render_errors(sub.errors)
    assert {"row": 3, "column": column} == {k: errors[0][k] for k in ("row", "column")}, errors
    assert text in errors[0]["message"]
    assert sub.error_count == len(errors) == 1
    assert not StatRow.objects.exists()


@pytest.mark.django_db
def test_samordningsnummer_and_pending_rows_are_valid(tmp_path):
    rows = [
        {**BASE, "personnummer": "198001610008"},  # day 01 + 60, valid check digit
        {
            **BASE,
            "service": "yttrande",
            "decision": "pagaende",
            "decision_date": "",
            "first_contact_date": "",
            "outcome": "pagaende",
            "outcome_date": "",
        },
        {**BASE, "service": "yttrande", "application_date": "2026-02-03", "yttrande_strengthens": "nej"},
    ]
    sub = run(tmp_path, rows)
    assert sub.status == Submission.Status.ACCEPTED, render_errors(sub.errors)
    assert StatRow.objects.filter(submission=sub).count() == 3


@pytest.mark.django_db
def test_same_person_may_appear_with_another_service_or_date_but_not_twice(tmp_path):
    ok = [BASE, {**BASE, "service": "vagledning"}, {**BASE, "application_date": "2026-02-02"}]
    assert run(tmp_path, ok).status == Submission.Status.ACCEPTED
    dup = [*ok, {**BASE, "personnummer": "198001010001", "trigger": "sjukdom"}]
    sub = run(tmp_path, dup)
    errors = render_errors(sub.errors)
    assert sub.status == Submission.Status.REJECTED
    assert errors[0]["row"] == 5 and "dubblett" in errors[0]["message"]


@pytest.mark.django_db
def test_wrong_number_of_values(tmp_path):
    text = csv_text([BASE]) + "198001010001,2026-03\n"
    org = OrganisationFactory()
    sub = services.submission_create(organisation=org, period=PERIOD, file=write(tmp_path, text), enqueue=False)
    sub = services.submission_import(sub.pk).submission
    assert render_errors(sub.errors)[0]["row"] == 3
    assert "11 värden" in render_errors(sub.errors)[0]["message"]


@pytest.mark.django_db
def test_errors_are_capped_at_1000_with_the_total(tmp_path):
    rows = [{**row, "trigger": "x"} for row in good_rows(1200)]
    sub = run(tmp_path, rows)
    assert sub.error_count == 1200
    assert len(sub.errors) == 1000
    assert sub.errors[-1]["row"] == 1001


@pytest.mark.django_db
def test_personnummer_is_never_stored_or_echoed(tmp_path):
    rows = good_rows(20)
    bad = {**BASE, "period": "198001010001"}
    sub = run(tmp_path, [*rows, bad])
    assert "198001010001" not in str(sub.errors)
    sub = run(tmp_path, rows)
    stored = list(StatRow.objects.filter(submission=sub).values_list("pseudonym", flat=True))
    assert len(stored[0]) == 64
    clear = {r["personnummer"].replace("-", "") for r in rows}
    assert not clear & set(stored)
