"""An employer's own individual application for state compensation (enskild ansökan, R-5.10 to
R-5.14), filed online: the same arithmetic and refusals as the collective path, visible to case
officers in the admin, decided the same way once the officer has checked the signatory."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from omstallning.accounts.roles import Role
from registry import services
from registry.models import CompensationApplication, CompensationRow

from .factories import EMPLOYER_A, EMPLOYER_B, EMPLOYER_C, AffiliationFactory, member_of, registered_organisation

pytestmark = pytest.mark.django_db

D = datetime.date
NOT_AFFILIATED = "556016-0680"
FILED = D(2024, 9, 1)
ON_FILING_DAY = datetime.datetime(2024, 9, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def org():
    org = registered_organisation("Fonden", registered_from=D(2022, 12, 31))
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_A, valid_from=D(2022, 10, 1))
    AffiliationFactory(
        organisation=org, employer_org_number=EMPLOYER_B, valid_from=D(2023, 1, 1), valid_to=D(2023, 3, 31)
    )
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_C, valid_from=D(2024, 1, 1))
    return org


@pytest.fixture
def employer_user(user_factory):
    return user_factory(username="vd-exempel", email="vd@exempel.example")


@pytest.fixture
def officer(user_factory):
    return user_factory(role=Role.CASE_OFFICER)


def file_individual(org, user, orgnr=EMPLOYER_A, fees="20000", payroll="10 000 000", year=2023, filed_on=FILED, **kw):
    args = {
        "organisation": org,
        "year": year,
        "employer_org_number": orgnr,
        "employer_name": "Exempel AB",
        "fees_paid": fees,
        "payroll_base": payroll,
        "signatory_name": "Vera Direktör",
        "signatory_capacity": "signatory",
        "contact_email": "vd@exempel.example",
        "declaration": True,
        "by": user,
        "filed_on": filed_on,
        **kw,
    }
    return services.compensation_file_individual(**args)


@pytest.mark.parametrize(
    ("fees", "payroll", "expected"),
    [
        ("20000", "10 000 000", 15_000),  # the cap: 0.15 % of 10 MSEK
        ("9999", "10000000", 9_999),  # the fees are lower
        ("100000", "6666599,99", 9_999),  # 9 999.899985 rounds down
        ("0,50", "1000000", 0),  # 50 öre: no whole krona
    ],
)
def test_the_amount_is_computed_as_in_the_collective_path(org, employer_user, fees, payroll, expected):
    result = file_individual(org, employer_user, fees=fees, payroll=payroll)
    assert result.ok, result.errors
    application = result.application
    row = application.rows.get()
    assert row.computed_sek == expected == application.total_computed
    assert expected == services.compensation_amount_sek(row.fees_paid_ore, row.payroll_base_ore)
    assert application.kind == CompensationApplication.Kind.INDIVIDUAL
    assert application.filed_by_employer and application.state == "submitted"
    assert (application.employer_org_number, application.signatory_capacity) == (EMPLOYER_A, "signatory")


def test_an_employer_not_affiliated_during_the_year_gets_a_refused_row(org, employer_user):
    for orgnr in (NOT_AFFILIATED, EMPLOYER_C):  # never, or only from 2024
        result = file_individual(org, employer_user, orgnr=orgnr)
        row = result.application.rows.get()
        assert (row.status, row.refusal_code) == ("refused", services.REFUSAL_NOT_AFFILIATED)
        assert result.application.total_computed == 0 and result.application.refused_count == 1
    # affiliated for part of the year is enough
    row = file_individual(org, employer_user, orgnr=EMPLOYER_B).application.rows.get()
    assert row.status == "accepted"


def test_a_second_claim_for_the_same_employer_and_year_is_refused_across_paths(org, employer_user):
    reporter = member_of(org)
    collective = services.compensation_file(
        organisation=org, year=2023, records=[(2, EMPLOYER_A, "100", "100000")], by=reporter, filed_on=FILED
    )
    assert collective.application.rows.get().status == "accepted"
    row = file_individual(org, employer_user).application.rows.get()
    assert (row.status, row.refusal_code) == ("refused", services.REFUSAL_DUPLICATE)
    # and the other way round: the employer first, the organisation's file afterwards
    first = file_individual(org, employer_user, orgnr=EMPLOYER_B).application.rows.get()
    assert first.status == "accepted"
    later = services.compensation_file(
        organisation=org, year=2023, records=[(2, EMPLOYER_B, "100", "100000")], by=reporter, filed_on=FILED
    )
    assert later.application.rows.get().refusal_code == services.REFUSAL_DUPLICATE
    # a claim for another year is another claim
    year_2024 = file_individual(org, employer_user, year=2024, filed_on=D(2025, 3, 1))
    assert year_2024.application.rows.get().status == "accepted"


@pytest.mark.parametrize(
    ("year", "filed_on", "words"),
    [
        (2023, D(2024, 10, 1), "2024-09-30"),  # after 30 September of N + 1
        (2024, D(2024, 9, 1), "completed years"),  # the year is not over
        (2021, D(2022, 3, 1), "completed years"),  # before the compensation began
    ],
)
def test_late_or_early_applications_are_refused_and_nothing_is_saved(
    org, employer_user, year, filed_on, words, english
):
    result = file_individual(org, employer_user, year=year, filed_on=filed_on)
    assert not result.ok and words in result.errors[0].message
    assert not CompensationApplication.objects.exists()


def test_an_organisation_not_registered_during_the_year_is_refused(employer_user, english):
    late = registered_organisation("Sen", registered_from=D(2024, 6, 1))
    result = file_individual(late, employer_user)
    assert not result.ok and "not registered" in result.errors[0].message
    assert not CompensationApplication.objects.exists()


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"declaration": False}, "declaration"),
        ({"signatory_name": " "}, "signatory_name"),
        ({"signatory_capacity": "cousin"}, "signatory_capacity"),
        ({"orgnr": "556036-0794"}, "employer_org_number"),
        ({"fees": "tjugo"}, "fees_paid"),
        ({"payroll": "-"}, "payroll_base"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(org, employer_user, change, column):
    result = file_individual(org, employer_user, **change)
    assert not result.ok and column in {e.column for e in result.errors}
    assert not CompensationApplication.objects.exists() and not CompensationRow.objects.exists()


def test_the_officer_checks_the_signatory_before_deciding(org, employer_user, officer):
    application = file_individual(org, employer_user).application
    with pytest.raises(ValidationError) as exc:
        services.compensation_decide(application=application, decision_number="E-1", exceptions={}, by=officer)
    assert "authority_checked" in exc.value.error_dict
    application.refresh_from_db()
    assert application.state == "submitted" and application.authority_checked_at is None
    with pytest.raises(PermissionDenied):  # an employer cannot decide its own application
        services.compensation_decide(
            application=application, decision_number="E-1", exceptions={}, authority_checked=True, by=employer_user
        )
    decided = services.compensation_decide(
        application=application, decision_number="E-1", exceptions={}, authority_checked=True, by=officer
    )
    assert decided.state == "decided" and decided.total_granted == 15_000
    assert decided.authority_checked_by == officer and decided.authority_checked_at is not None


def test_an_officer_may_refuse_the_row_as_an_exception(org, employer_user, officer):
    application = file_individual(org, employer_user).application
    decided = services.compensation_decide(
        application=application,
        decision_number="E-2",
        exceptions={EMPLOYER_A: "Fullmakt saknas."},
        authority_checked=True,
        by=officer,
    )
    assert decided.total_granted == 0 and decided.refused_count == 1


@time_machine.travel(ON_FILING_DAY, tick=False)
def test_the_employer_files_on_the_page_and_follows_it(client, org, employer_user, user_factory):
    client.force_login(employer_user)
    assert client.get(reverse("registry:employer_compensation")).status_code == 200
    new_url = reverse("registry:employer_compensation_new")
    assert new_url == "/arbetsgivare/statlig-ersattning/ny/"
    page = client.get(new_url)
    assert page.status_code == 200 and b"employer-compensation-form" in page.content
    data = {
        "organisation": org.pk,
        "year": "2023",
        "employer_org_number": "5560360793",
        "employer_name": "Exempel AB",
        "fees_paid": "20 000",
        "payroll_base": "10 000 000",
        "signatory_name": "Vera Direktör",
        "signatory_capacity": "signatory",
        "contact_email": "vd@exempel.example",
        "declaration": "on",
    }
    # without the declaration nothing is filed, and the message is in Swedish
    response = client.post(new_url, {**data, "declaration": ""})
    assert response.status_code == 200 and response.context["form"].errors["declaration"]
    assert "Bekräfta" in response.content.decode()
    assert not CompensationApplication.objects.exists()
    # a bad amount comes back on its field
    response = client.post(new_url, {**data, "fees_paid": "tjugo"})
    assert response.status_code == 200 and response.context["form"].errors["fees_paid"]
    response = client.post(new_url, data)
    application = CompensationApplication.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:employer_compensation_detail", args=[application.pk])
    detail = client.get(response.url)
    assert detail.status_code == 200
    assert b'data-testid="computed">15000<' in detail.content
    assert application.filed_on == D(2024, 9, 1) and application.employer_org_number == EMPLOYER_A
    # nobody else sees it
    client.force_login(user_factory())
    assert client.get(reverse("registry:employer_compensation_detail", args=[application.pk])).status_code == 404


@time_machine.travel(ON_FILING_DAY, tick=False)
def test_a_refused_row_is_shown_to_the_employer(client, org, employer_user):
    application = file_individual(org, employer_user, orgnr=NOT_AFFILIATED, filed_on=None).application
    client.force_login(employer_user)
    detail = client.get(reverse("registry:employer_compensation_detail", args=[application.pk]))
    assert b'data-testid="refusal"' in detail.content


def test_the_pages_need_a_signed_in_user(client):
    for url in (reverse("registry:employer_compensation"), reverse("registry:employer_compensation_new")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_officers_see_and_decide_it_in_the_admin(client, org, employer_user, officer):
    application = file_individual(org, employer_user).application
    client.force_login(officer)
    changelist = client.get(
        reverse("admin:registry_compensationapplication_changelist"), {"q": EMPLOYER_A, "kind": "individual"}
    )
    assert changelist.status_code == 200 and EMPLOYER_A.encode() in changelist.content
    decide_url = reverse("admin:registry_compensation_decide", args=[application.pk])
    page = client.get(decide_url)
    assert page.status_code == 200 and b"Vera Direkt" in page.content and b"authority_checked" in page.content
    response = client.post(decide_url, {"decision_number": "E-3", "exceptions": ""})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == "submitted"
    response = client.post(decide_url, {"decision_number": "E-3", "exceptions": "", "authority_checked": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "decided" and application.total_granted == 15_000
    # the collective decision form does not ask about a signatory
    reporter = member_of(org)
    collective = services.compensation_file(
        organisation=org, year=2023, records=[(2, EMPLOYER_B, "100", "100000")], by=reporter, filed_on=FILED
    ).application
    page = client.get(reverse("admin:registry_compensation_decide", args=[collective.pk]))
    assert b"authority_checked" not in page.content


def test_the_signatory_finds_the_application_in_the_data_export(org, employer_user):
    from registry.privacy import export_registry

    file_individual(org, employer_user)
    exported = export_registry(employer_user)["compensation_applications"]
    assert exported == [
        {
            "employer_name": "Exempel AB",
            "employer_org_number": EMPLOYER_A,
            "year": 2023,
            "signatory_name": "Vera Direktör",
            "signatory_capacity": "signatory",
            "contact_email": "vd@exempel.example",
            "declared_at": exported[0]["declared_at"],
            "state": "submitted",
        }
    ]
    assert exported[0]["declared_at"]
