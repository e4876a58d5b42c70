"""Referrals (staff and service level), R-2.4 deduplication and the R-1.40 responsibility check."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from applications.yttrande import services
from applications.yttrande.models import CaseStatus, CheckOutcome, Referral, Source, YttrandeCase
from omstallning.accounts.roles import Role
from tests.factories import UserFactory
from tests.registry.factories import EMPLOYER_A, AffiliationFactory, registered_organisation

from .factories import AdvisorFactory, make_personnummer, referral

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2025, 10, 5, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def officer():
    return UserFactory(role=Role.CASE_OFFICER)


@time_machine.travel(NOW, tick=False)
def test_a_staff_referral_creates_a_case_checks_it_and_assigns_an_advisor(officer, django_capture_on_commit_callbacks):
    advisor = AdvisorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case, created = services.case_receive_referral(data=referral(), source=Source.STAFF, by=officer)
    assert created
    case.refresh_from_db()
    assert case.reference == "YTT-2025-000001"
    assert case.personnummer.endswith(case.personnummer[-4:]) and "-" in case.personnummer
    assert case.birth_date == datetime.date(1985, 8, 20)
    assert case.check_outcome == CheckOutcome.RESPONSIBLE
    assert case.status == CaseStatus.CONVERSATION
    assert case.advisor == advisor  # the advisors app's cascade, run by the task on commit
    assert Referral.objects.filter(case=case, created_case=True).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_second_referral_for_the_same_person_and_education_returns_the_existing_case(officer):
    first, created = services.case_receive_referral(data=referral(), source=Source.STAFF, by=officer)
    again, created_again = services.case_receive_referral(
        data=referral(
            csn_reference="CSN-2026-99999",
            education_name="  undersköterska,  VÅRD och omsorg ",
            education_start=datetime.date(2027, 8, 20),
        ),
        source=Source.STAFF,
        by=officer,
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert YttrandeCase.objects.count() == 1
    assert Referral.objects.filter(case=first).count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_changed_education_needs_a_new_yttrande(officer):
    services.case_receive_referral(data=referral(), source=Source.STAFF, by=officer)
    other, created = services.case_receive_referral(
        data=referral(education_name="Elektriker"), source=Source.STAFF, by=officer
    )
    assert created
    assert YttrandeCase.objects.count() == 2


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"personnummer": "19850820-1235"}, "personnummer"),  # wrong check digit
        ({"personnummer": "hello"}, "personnummer"),
        ({"csn_reference": ""}, "csn_reference"),
        ({"education_weeks": 0}, "education_weeks"),
        ({"education_pace": 30}, "education_pace"),
        ({"employer_org_number": "556036-0794"}, "employer_org_number"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(officer, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.case_receive_referral(data=referral(**overrides), source=Source.STAFF, by=officer)
    assert field in exc.value.message_dict
    assert YttrandeCase.objects.count() == 0


def test_only_case_officers_may_register_a_staff_referral():
    with pytest.raises(PermissionDenied):
        services.case_receive_referral(data=referral(), source=Source.STAFF, by=UserFactory(role=Role.ADVISOR))


@time_machine.travel(NOW, tick=False)
def test_the_applicant_account_is_linked_by_personnummer(officer):
    pnr = make_personnummer(datetime.date(1985, 8, 20))
    applicant = UserFactory(role=Role.APPLICANT)
    type(applicant).objects.filter(pk=applicant.pk).update(personnummer=pnr.replace("-", ""))
    case, _ = services.case_receive_referral(data=referral(personnummer=pnr), source=Source.STAFF, by=officer)
    assert case.applicant_id == applicant.pk


# --- the check: with D10 (calendar-year age) and D11 ---------------------------------
def check(officer, **overrides):
    case, _ = services.case_receive_referral(data=referral(**overrides), source=Source.STAFF, by=officer)
    case.refresh_from_db()
    return case


@time_machine.travel(datetime.datetime(2025, 10, 1, 9, tzinfo=datetime.UTC), tick=False)
def test_age_counts_by_calendar_year(officer):
    # rules.md example 10 (d): exact age 26, but turns 27 in 2025 -> eligible under D10.
    case = check(officer, personnummer=make_personnummer(datetime.date(1998, 11, 15)))
    assert case.check_outcome == CheckOutcome.RESPONSIBLE


@time_machine.travel(NOW, tick=False)
def test_too_old_is_not_our_yttrande(officer):
    # rules.md example 10 (c): born 1960, 65 in 2025.
    case = check(officer, personnummer=make_personnummer(datetime.date(1960, 6, 1)))
    assert case.check_outcome == CheckOutcome.NOT_RESPONSIBLE
    assert case.status == CaseStatus.NOT_RESPONSIBLE
    assert case.advisor is None
    assert any(r["rule"] == "R-1.40" and r["passed"] is False for r in case.check_reasons)


@time_machine.travel(NOW, tick=False)
def test_an_employer_affiliated_to_a_registered_organisation_names_that_organisation(officer):
    # rules.md example 10 (b): the employer is affiliated to TRR, so TRR writes the yttrande.
    trr = registered_organisation(name="TRR Trygghetsrådet")
    AffiliationFactory(organisation=trr, employer_org_number=EMPLOYER_A, valid_from=datetime.date(2023, 1, 1))
    case = check(officer, employer_org_number=EMPLOYER_A, kollektivavtal=None)
    assert case.check_outcome == CheckOutcome.NOT_RESPONSIBLE
    assert case.responsible_organisation == "TRR Trygghetsrådet"


@time_machine.travel(NOW, tick=False)
def test_a_collective_agreement_without_a_known_organisation_is_not_ours(officer):
    case = check(officer, kollektivavtal=True)
    assert case.check_outcome == CheckOutcome.NOT_RESPONSIBLE
    assert case.responsible_organisation


@time_machine.travel(NOW, tick=False)
def test_self_employed_with_no_affiliation_is_ours(officer):
    # rules.md example 10 (a).
    case = check(officer, situation="egenforetagare", kollektivavtal=None)
    assert case.check_outcome == CheckOutcome.RESPONSIBLE


@time_machine.travel(NOW, tick=False)
def test_unknown_details_wait_for_a_case_officer(officer, django_capture_on_commit_callbacks):
    case = check(officer, situation="", kollektivavtal=None)
    assert case.check_outcome == CheckOutcome.INCOMPLETE
    assert case.status == CaseStatus.RESPONSIBLE_CHECK
    AdvisorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_confirm_responsible(case=case, by=officer)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONVERSATION
    assert case.advisor is not None
