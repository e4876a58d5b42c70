"""State compensation (R-5.10 to R-5.14): arithmetic, refusals, decision, payout file and letter."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from omstallning.accounts.roles import Role
from registry import services
from registry.models import CompensationApplication, CompensationRow

from .factories import EMPLOYER_A, EMPLOYER_B, EMPLOYER_C, AffiliationFactory, member_of, registered_organisation

D = datetime.date
NOT_AFFILIATED = "556016-0680"


@pytest.mark.parametrize(
    ("fees_ore", "payroll_ore", "expected_sek"),
    [
        (1_000_000_00, 10_000_000_00, 15_000),  # cap: 0.15 % of 10 MSEK
        (9_999_00, 10_000_000_00, 9_999),  # the fees are lower
        (100_000_00, 6_666_666_67, 10_000),  # 0.15 % of 6 666 666.67 = 10 000.0000005 → 10 000
        (100_000_00, 6_666_599_99, 9_999),  # 9 999.899985 rounds down
        (50, 1_000_000_00, 0),  # 0.50 kr of fees: 0 whole kronor
        (0, 0, 0),
    ],
)
def test_amount_is_the_lower_of_fees_and_the_cap_in_whole_kronor(fees_ore, payroll_ore, expected_sek):
    assert services.compensation_amount_sek(fees_ore, payroll_ore) == expected_sek


@given(st.integers(0, 10**13), st.integers(0, 10**14))
def test_amount_never_exceeds_the_fees_or_the_cap(fees, payroll):
    amount = services.compensation_amount_sek(fees, payroll)
    assert amount * 100 <= fees
    assert amount * 100 * 10_000 <= payroll * 15
    assert (amount + 1) * 100 > min(fees, payroll * 15 // 10_000)


@pytest.fixture
def org(db):
    org = registered_organisation("Fonden", registered_from=D(2022, 12, 31))
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_A, valid_from=D(2022, 10, 1))
    AffiliationFactory(
        organisation=org, employer_org_number=EMPLOYER_B, valid_from=D(2023, 1, 1), valid_to=D(2023, 3, 31)
    )
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_C, valid_from=D(2024, 1, 1))
    return org


@pytest.fixture
def reporter(org):
    return member_of(org)


FILED = D(2024, 9, 1)


def file_(org, reporter, records, year=2023, filed_on=FILED):
    rows = [(n, *r) for n, r in enumerate(records, start=2)]
    return services.compensation_file(organisation=org, year=year, records=rows, by=reporter, filed_on=filed_on)


def test_collective_application_computes_and_refuses_rows(org, reporter):
    result = file_(
        org,
        reporter,
        [
            (EMPLOYER_A, "20000", "10 000 000"),  # 15 000
            (EMPLOYER_B, "1234,56", "5000000"),  # affiliated Jan-Mar 2023: 1 234
            (EMPLOYER_C, "100", "100"),  # affiliated only from 2024: refused
            (NOT_AFFILIATED, "100", "100"),  # never affiliated: refused
            (EMPLOYER_A.replace("-", ""), "1", "1"),  # the same employer again in the file: refused
        ],
    )
    assert result.ok, result.errors
    app = result.application
    rows = {r.row_number: r for r in app.rows.all()}
    assert rows[2].computed_sek == 15_000 and rows[2].status == "accepted"
    assert rows[3].computed_sek == 1_234 and rows[3].fees_paid_ore == 123_456
    assert rows[4].refusal_code == services.REFUSAL_NOT_AFFILIATED
    assert rows[5].refusal_code == services.REFUSAL_NOT_AFFILIATED
    assert rows[6].refusal_code == services.REFUSAL_DUPLICATE
    assert (app.row_count, app.refused_count, app.total_computed) == (5, 3, 16_234)


def test_a_second_claim_for_the_same_employer_and_year_is_refused(org, reporter):
    file_(org, reporter, [(EMPLOYER_A, "100", "1000000")])
    second = file_(org, reporter, [(EMPLOYER_A, "100", "1000000")]).application
    assert second.rows.get().refusal_code == services.REFUSAL_DUPLICATE
    other_year = file_(org, reporter, [(EMPLOYER_A, "100", "1000000")], year=2024, filed_on=D(2025, 2, 1))
    assert other_year.application.rows.get().status == "accepted"


def test_deadline_is_30_september_of_the_next_year(org, reporter):
    assert file_(org, reporter, [(EMPLOYER_A, "1", "1")], filed_on=D(2024, 9, 30)).ok
    late = file_(org, reporter, [(EMPLOYER_B, "1", "1")], filed_on=D(2024, 10, 1))
    assert not late.ok and "2024-09-30" in late.errors[0].message
    early = file_(org, reporter, [(EMPLOYER_A, "1", "1")], year=2024, filed_on=D(2024, 12, 31))
    assert not early.ok


def test_malformed_rows_refuse_the_whole_file(org, reporter):
    result = file_(org, reporter, [(EMPLOYER_A, "100", "100"), ("12345", "-5", "abc")])
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "org_number"), (3, "fees_paid"), (3, "payroll_base")]
    assert not CompensationApplication.objects.exists()


def test_upload_decide_with_exceptions_payout_and_letter(client, org, reporter, user_factory):
    data = "organisationsnummer;avgifter;lonesumma\n556036-0793;20000;10000000\n556677-8899;500;1000000\n"
    result = services.compensation_upload(
        organisation=org, year=2023, file_name="ansokan.csv", data=data.encode(), by=reporter, filed_on=D(2024, 5, 1)
    )
    assert result.ok, result.errors
    app = result.application
    officer = user_factory(role=Role.CASE_OFFICER)
    with pytest.raises(ValidationError):
        services.compensation_decide(
            application=app, decision_number="B-1", exceptions={NOT_AFFILIATED: "x"}, by=officer
        )
    client.force_login(officer)
    response = client.post(
        reverse("admin:registry_compensation_decide", args=[app.pk]),
        {"decision_number": "B-1", "exceptions": "556677-8899; Avgiften avser annan period"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == "decided" and app.total_granted == 15_000
    refused = CompensationRow.objects.get(employer_org_number=EMPLOYER_B)
    assert refused.status == "refused" and refused.refusal_note == "Avgiften avser annan period"
    payout = client.get(reverse("admin:registry_compensation_payout", args=[app.pk]))
    lines = list(csv.reader(io.StringIO(payout.content.decode()), delimiter=";"))
    assert lines == [
        ["organisationsnummer", "ar", "ersattning_kr", "beslut"],
        [EMPLOYER_A, "2023", "15000", "B-1"],
        ["SUMMA", "2023", "15000", "B-1"],
    ]
    assert payout["Content-Disposition"] == f'attachment; filename="utbetalning-2023-{org.pk}-{app.pk}.csv"'
    letter = client.get(reverse("admin:registry_compensation_letter", args=[app.pk]))
    assert b"B-1" in letter.content and b"Avgiften avser annan period" in letter.content
    # the organisation sees the same letter and payout file on its own pages
    client.force_login(reporter)
    own = client.get(reverse("registry:compensation_payout", args=[org.pk, app.pk]))
    assert own.content == payout.content
    own_letter = client.get(reverse("registry:compensation_letter_pdf", args=[org.pk, app.pk]))
    assert own_letter["Content-Type"] == "application/pdf"
    assert own_letter["Content-Disposition"] == f'inline; filename="beslut-statlig-ersattning-2023-{app.pk}.pdf"'
    with pytest.raises(ValidationError):
        services.compensation_decide(application=app, decision_number="B-2", exceptions={}, by=officer)


def test_organisation_files_through_its_page(client, org, reporter):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(reporter)
    data = b"organisationsnummer;avgifter;lonesumma\n556036-0793;100;100000\n"
    import time_machine

    with time_machine.travel(datetime.datetime(2024, 6, 1, 10, tzinfo=datetime.UTC)):
        response = client.post(
            reverse("registry:compensation", args=[org.pk]),
            {"year": "2023", "file": SimpleUploadedFile("a.csv", data)},
        )
    assert response.status_code == 302
    app = CompensationApplication.objects.get()
    assert app.filed_on == D(2024, 6, 1) and app.total_computed == 100  # min(100, 150)


def test_officer_registers_an_individual_application(client, org, user_factory):
    officer = user_factory(role=Role.CASE_OFFICER)
    client.force_login(officer)
    url = reverse("admin:registry_compensation_individual")
    assert client.get(reverse("admin:registry_compensationapplication_changelist")).content.count(url.encode()) == 1
    form = {
        "organisation": org.pk,
        "year": "2023",
        "employer_org_number": EMPLOYER_A,
        "fees_paid": "8000",
        "payroll_base": "4000000",
        "filed_on": "2024-09-30",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    app = CompensationApplication.objects.get()
    assert app.kind == "individual" and app.total_computed == 6_000  # min(8 000, 0.15 % of 4 MSEK)
    late = client.post(url, {**form, "employer_org_number": EMPLOYER_B, "filed_on": "2024-10-01"})
    assert late.status_code == 200 and CompensationApplication.objects.count() == 1
