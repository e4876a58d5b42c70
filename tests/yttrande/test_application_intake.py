"""An application for "yttrande till CSN" in the applicant's form becomes an yttrande case, and
its advisor is the one the advisors app assigns when the application is granted."""

import datetime

import pytest
from django.utils import timezone

from advisors.models import Assignment
from applications import services as application_services
from applications.models import Draft, Service
from applications.yttrande import services
from applications.yttrande.models import CaseStatus, Source, YttrandeCase
from applications.yttrande.tasks import sweep_yttrande
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import AdvisorFactory, make_personnummer, referral

pytestmark = pytest.mark.django_db


def submit_yttrande_application(user):
    today = timezone.localdate()
    data = {
        "about": {
            "personnummer": user.personnummer,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": "070-123 45 67",
            "preferred_language": "sv",
            "meeting_preference": "digital",
            "municipality": "Uppsala",
        },
        "employment": {
            "employer_name": "Demo Handel AB",
            "employer_org_number": "",
            "active_in_sweden": "yes",
            "registered_with_skatteverket": "yes",
            "kollektivavtal": "no",
            "finances_registered_organisation": "no",
            "situation": "uppsagd_arbetsbrist",
            "employment_end_date": (today + datetime.timedelta(days=30)).isoformat(),
            "was_ceo": "no",
            "employed_by_spouse": "no",
        },
        "education": {
            "education_name": "Undersköterska, vård och omsorg",
            "provider": "Komvux Göteborg",
            "start_date": (today + datetime.timedelta(days=60)).isoformat(),
            "length_weeks": 40,
            "pace": "100",
            "csn_reference": "",
        },
    }
    draft = Draft.objects.create(applicant=user, service=Service.YTTRANDE, data=data)
    return application_services.application_submit(token=draft.token, by=user).application


@pytest.fixture
def applicant():
    user = UserFactory(role=Role.APPLICANT, first_name="Åsa", last_name="Öberg")
    pnr = make_personnummer(datetime.date(1985, 8, 20))
    type(user).objects.filter(pk=user.pk).update(personnummer=pnr.replace("-", ""))
    user.refresh_from_db()
    return user


def test_the_application_becomes_a_case_that_follows_the_granted_assignment(
    applicant, django_capture_on_commit_callbacks
):
    advisor = AdvisorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_yttrande_application(applicant)
    case = YttrandeCase.objects.get(application=application)
    assert case.source == Source.APPLICANT
    assert case.applicant == applicant
    assert case.person_name == "Åsa Öberg"
    assert case.status == CaseStatus.CONVERSATION
    assert case.advisor is None  # waits for the application's own assignment

    officer = UserFactory(role=Role.CASE_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        application_services.application_grant(application_id=application.pk, by=officer)
    case.refresh_from_db()
    assert case.advisor == advisor
    assert case.advisor == Assignment.objects.get(application=application).advisor


def test_a_csn_referral_first_then_the_application_share_one_case(applicant, django_capture_on_commit_callbacks):
    officer = UserFactory(role=Role.CASE_OFFICER)
    pnr = make_personnummer(datetime.date(1985, 8, 20))
    first, _ = services.case_receive_referral(data=referral(personnummer=pnr), source=Source.STAFF, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_yttrande_application(applicant)
    assert YttrandeCase.objects.count() == 1
    first.refresh_from_db()
    assert first.application == application


def test_the_sweep_catches_up_a_lost_task(applicant):
    # No on-commit callbacks run here: the task that would make the case is "lost".
    application = submit_yttrande_application(applicant)
    assert not YttrandeCase.objects.filter(application=application).exists()
    result = sweep_yttrande.delay().get()
    assert result["cases_from_applications"] == 1
    assert YttrandeCase.objects.filter(application=application).exists()
    assert sweep_yttrande.delay().get()["cases_from_applications"] == 0
