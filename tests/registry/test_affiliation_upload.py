"""Affiliation lists: whole file or nothing, row-level errors, no overlaps across organisations."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from registry import services
from registry.models import EmployerAffiliation

from .factories import EMPLOYER_A, EMPLOYER_B, EMPLOYER_C, AffiliationFactory, member_of, registered_organisation
from .xlsx import build_xlsx

HEADER = "organisationsnummer;namn;giltig_fran;giltig_till\n"


def csv_bytes(*lines):
    return (HEADER + "\n".join(lines) + "\n").encode()


@pytest.fixture
def org(db):
    return registered_organisation("Trygghetsrådet Test")


@pytest.fixture
def reporter(org):
    return member_of(org)


def test_csv_upload_replaces_the_whole_list(org, reporter):
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_C)
    data = csv_bytes(f"{EMPLOYER_A};Alfa AB;2023-01-01;", "5566778899;Beta AB;2023-02-01;2024-12-31")
    result = services.affiliations_upload(organisation=org, file_name="lista.csv", data=data, by=reporter)
    assert result.ok, result.errors
    rows = {a.employer_org_number: a for a in EmployerAffiliation.objects.filter(organisation=org)}
    assert set(rows) == {EMPLOYER_A, EMPLOYER_B}  # C was replaced; B normalised to NNNNNN-NNNN
    assert rows[EMPLOYER_B].valid_to == datetime.date(2024, 12, 31)
    assert rows[EMPLOYER_A].valid_to is None


def test_bad_rows_refuse_the_whole_file_with_row_and_column(org, reporter):
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_C)
    data = csv_bytes(
        f"{EMPLOYER_A};Alfa AB;2023-01-01;",
        "556036-0794;Fel AB;2023-01-01;",  # wrong check digit
        f"{EMPLOYER_B};;2023-13-01;",  # no name, bad date
        f"{EMPLOYER_C};Gamma AB;2024-01-01;2023-01-01",  # ends before it starts
    )
    result = services.affiliations_upload(organisation=org, file_name="lista.csv", data=data, by=reporter)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "org_number"),
        (4, "name"),
        (4, "valid_from"),
        (5, "valid_to"),
    ]
    # nothing changed
    assert list(EmployerAffiliation.objects.values_list("employer_org_number", flat=True)) == [EMPLOYER_C]


def test_overlap_inside_the_file_is_refused(org, reporter, english):
    data = csv_bytes(f"{EMPLOYER_A};Alfa AB;2023-01-01;2023-12-31", f"{EMPLOYER_A};Alfa AB;2023-06-01;")
    result = services.affiliations_upload(organisation=org, file_name="l.csv", data=data, by=reporter)
    assert not result.ok
    assert result.errors[0].row == 3 and "row 2" in result.errors[0].message


def test_overlap_with_another_organisation_names_both(org, reporter):
    other = registered_organisation("Trygghetsfonden Test")
    AffiliationFactory(
        organisation=other,
        employer_org_number=EMPLOYER_A,
        valid_from=datetime.date(2022, 10, 1),
        valid_to=datetime.date(2023, 3, 31),
    )
    overlapping = csv_bytes(f"{EMPLOYER_A};Alfa AB;2023-03-31;")
    result = services.affiliations_upload(organisation=org, file_name="l.csv", data=overlapping, by=reporter)
    assert not result.ok
    message = result.errors[0].message
    assert "Trygghetsfonden Test" in message and "Trygghetsrådet Test" in message
    # the day after the other affiliation ends is fine
    adjacent = csv_bytes(f"{EMPLOYER_A};Alfa AB;2023-04-01;")
    assert services.affiliations_upload(organisation=org, file_name="l.csv", data=adjacent, by=reporter).ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint exists on Postgres")
def test_database_refuses_overlaps_even_past_the_service(org):
    other = registered_organisation("Annan")
    AffiliationFactory(organisation=other, employer_org_number=EMPLOYER_A, valid_from=datetime.date(2023, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_A, valid_from=datetime.date(2030, 1, 1))


def test_xlsx_upload(org, reporter):
    data = build_xlsx(
        [
            ["Organisationsnummer", "Namn", "Giltig_fran", "Giltig_till"],
            [EMPLOYER_A, "Alfa AB", "2023-01-01", ""],
            [EMPLOYER_B, "Beta AB", "2023-05-01", "2025-01-31"],
        ]
    )
    result = services.affiliations_upload(organisation=org, file_name="lista.xlsx", data=data, by=reporter)
    assert result.ok, result.errors
    assert EmployerAffiliation.objects.filter(organisation=org).count() == 2


@pytest.mark.parametrize(
    ("extra", "word"),
    [
        ({"xl/vbaProject.bin": b"macro"}, "macros"),
        ({"xl/externalLinks/externalLink1.xml": "<x/>"}, "external links"),
        ({"xl/worksheets/bomb.xml": "0" * 5_000_000}, "compressed"),
    ],
)
def test_dangerous_workbooks_are_refused_before_reading(org, reporter, extra, word, english):
    data = build_xlsx([["organisationsnummer", "namn", "giltig_fran"]], extra_parts=extra)
    result = services.affiliations_upload(organisation=org, file_name="lista.xlsx", data=data, by=reporter)
    assert not result.ok
    assert word in result.errors[0].message


def test_oversized_file_is_refused(org, reporter, monkeypatch):
    monkeypatch.setattr("registry.tabular.MAX_UPLOAD_BYTES", 100)
    result = services.affiliations_upload(organisation=org, file_name="l.csv", data=b"x" * 101, by=reporter)
    assert not result.ok and result.errors[0].column == "file"


def test_missing_column_is_reported(org, reporter):
    data = b"orgnr;namn\n556036-0793;Alfa AB\n"
    result = services.affiliations_upload(organisation=org, file_name="l.csv", data=data, by=reporter)
    assert not result.ok
    assert [e.column for e in result.errors] == ["valid_from"]


def test_only_members_may_upload(org, user_factory):
    from django.core.exceptions import PermissionDenied

    stranger = user_factory()
    with pytest.raises(PermissionDenied):
        services.affiliations_upload(organisation=org, file_name="l.csv", data=csv_bytes(), by=stranger)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint exists on Postgres")
def test_a_race_past_the_service_check_is_caught_and_nothing_changes(org, reporter, monkeypatch):
    other = registered_organisation("Samtidig")
    AffiliationFactory(organisation=other, employer_org_number=EMPLOYER_A, valid_from=datetime.date(2023, 1, 1))
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_C)
    monkeypatch.setattr(services, "_cross_organisation_overlaps", lambda organisation, rows: [])
    data = csv_bytes(f"{EMPLOYER_A};Alfa AB;2023-06-01;")
    result = services.affiliations_upload(organisation=org, file_name="l.csv", data=data, by=reporter)
    assert not result.ok
    assert list(
        EmployerAffiliation.objects.filter(organisation=org).values_list("employer_org_number", flat=True)
    ) == [EMPLOYER_C]
