"""Case officers in the admin: the staff referral form, approval and the API client token."""

import datetime

import pytest

from applications.yttrande import services
from applications.yttrande.models import ApiClient, CaseStatus, Source, YttrandeCase
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import ASSESSMENT, AdvisorFactory, YttrandeCaseFactory, make_personnummer

pytestmark = pytest.mark.django_db
ADD = "/admin/yttrande/yttrandecase/add/"
CHANGELIST = "/admin/yttrande/yttrandecase/"


@pytest.fixture
def officer_client(client):
    officer = UserFactory(role=Role.CASE_OFFICER)
    client.force_login(officer)
    client.officer = officer
    return client


def form(**overrides):
    data = {
        "personnummer": make_personnummer(datetime.date(1985, 8, 20)),
        "person_name": "Åsa Öberg",
        "csn_reference": "CSN-2026-12345",
        "education_name": "Undersköterska",
        "education_provider": "Komvux Göteborg",
        "education_start": "2027-01-12",
        "education_weeks": "40",
        "education_pace": "100",
        "situation": "uppsagd_arbetsbrist",
        "employer_org_number": "",
        "kollektivavtal": "false",
    }
    data.update(overrides)
    return data


def test_the_staff_form_registers_a_referral(officer_client, django_capture_on_commit_callbacks):
    AdvisorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(ADD, form())
    assert response.status_code == 302, response.content.decode()[:2000]
    case = YttrandeCase.objects.get()
    assert case.source == Source.STAFF
    assert case.status == CaseStatus.CONVERSATION
    assert case.advisor is not None
    # The same person and education again: no second case.
    response = officer_client.post(ADD, form(csn_reference="CSN-2026-55555"))
    assert response.status_code == 302
    assert YttrandeCase.objects.count() == 1


def test_the_staff_form_names_a_bad_personnummer(officer_client):
    response = officer_client.post(ADD, form(personnummer="19850820-0000"))
    assert response.status_code == 200
    assert "error-summary" in response.content.decode() or "errorlist" in response.content.decode()
    assert "personnummer" in response.context["adminform"].form.errors
    assert not YttrandeCase.objects.exists()


def test_advisors_and_applicants_do_not_see_the_admin(client):
    client.force_login(UserFactory(role=Role.ADVISOR))
    assert client.get(CHANGELIST).status_code in (302, 403)


def test_the_approve_action_issues_the_yttrande(officer_client, django_capture_on_commit_callbacks):
    case = YttrandeCaseFactory()
    services.assessment_record(case=case, by=case.advisor.user, **ASSESSMENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(CHANGELIST, {"action": "approve", "_selected_action": [case.pk]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    document = case.documents.get()
    assert document.is_rendered and document.approved_by == officer_client.officer
    pdf = officer_client.get(f"/handlaggare/yttranden/{document.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    change = officer_client.get(f"{CHANGELIST}{case.pk}/change/")
    assert change.status_code == 200
    assert document.sha256 in change.content.decode()


def test_an_api_client_token_is_shown_once_and_stored_hashed(officer_client):
    response = officer_client.post("/admin/yttrande/apiclient/add/", {"name": "CSN produktion"}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    client = ApiClient.objects.get(name="CSN produktion")
    token = next(m.rsplit(" ", 1)[1] for m in shown if client.name in m)
    assert services.hash_token(token) == client.token_hash
    assert token not in str(ApiClient.objects.filter(pk=client.pk).values().get())
