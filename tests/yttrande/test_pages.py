"""The applicant's yttranden, the advisor's assessment page, staff download and verification."""

import datetime

import pytest
import time_machine
from django.core.cache import cache

from applications.yttrande import services
from applications.yttrande.models import CaseStatus
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import ASSESSMENT, YttrandeCaseFactory

pytestmark = pytest.mark.django_db


def applicant_with_case(**case_kwargs):
    user = UserFactory(role=Role.APPLICANT)
    case = YttrandeCaseFactory(**{"applicant": user, **case_kwargs})
    return user, case


def issue(case, django_capture_on_commit_callbacks):
    services.assessment_record(case=case, by=case.advisor.user, **ASSESSMENT)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.case_approve(case=case, by=UserFactory(role=Role.CASE_OFFICER))
    document.refresh_from_db()
    return document


def test_the_applicant_sees_and_downloads_the_yttrande(client, django_capture_on_commit_callbacks):
    user, case = applicant_with_case()
    document = issue(case, django_capture_on_commit_callbacks)
    client.force_login(user)
    page = client.get("/mina-arenden/yttranden/").content.decode()
    url = f"/mina-arenden/yttranden/{case.reference}/v1.pdf"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == services.document_read(document)


def test_the_applicant_is_found_by_personnummer_too(client, django_capture_on_commit_callbacks):
    _, case = applicant_with_case(applicant=None)
    issue(case, django_capture_on_commit_callbacks)
    user = UserFactory(role=Role.APPLICANT)
    type(user).objects.filter(pk=user.pk).update(personnummer=case.personnummer.replace("-", ""))
    client.force_login(user)
    assert client.get(f"/mina-arenden/yttranden/{case.reference}/v1.pdf").status_code == 200


def test_other_peoples_yttranden_are_404(client, django_capture_on_commit_callbacks):
    _, case = applicant_with_case()
    issue(case, django_capture_on_commit_callbacks)
    client.force_login(UserFactory(role=Role.APPLICANT))
    assert case.reference not in client.get("/mina-arenden/yttranden/").content.decode()
    assert client.get(f"/mina-arenden/yttranden/{case.reference}/v1.pdf").status_code == 404
    assert client.get(f"/handlaggare/yttranden/{case.documents.get().pk}.pdf").status_code == 404


def test_the_advisor_records_the_assessment_on_the_page(client):
    case = YttrandeCaseFactory()
    client.force_login(case.advisor.user)
    url = f"/radgivare/yttranden/{case.reference}/"
    assert case.reference in client.get("/radgivare/yttranden/").content.decode()
    form = {**ASSESSMENT, "strengthens": "true", "conversation_on": "2026-11-20", "shortage_occupation": "on"}
    response = client.post(url, form)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT_RECORDED
    assert case.assessment.strengthens is True


def test_a_missing_reason_is_shown_in_the_error_summary(client):
    case = YttrandeCaseFactory()
    client.force_login(case.advisor.user)
    form = {**ASSESSMENT, "strengthens": "true", "conversation_on": "2026-11-20", "reasons": ""}
    response = client.post(f"/radgivare/yttranden/{case.reference}/", form)
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CONVERSATION


def test_another_advisor_gets_404(client):
    case = YttrandeCaseFactory()
    client.force_login(UserFactory(role=Role.ADVISOR))
    assert client.get(f"/radgivare/yttranden/{case.reference}/").status_code == 404
    assert client.post(f"/radgivare/yttranden/{case.reference}/", {}).status_code == 404


def test_the_verification_page_shows_date_and_sha256_but_no_personal_data(client, django_capture_on_commit_callbacks):
    _, case = applicant_with_case()
    document = issue(case, django_capture_on_commit_callbacks)
    code = services.format_verification_code(document.verification_code)
    response = client.get(f"/verifiera/{code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert document.sha256 in page
    assert case.person_name not in page
    assert case.personnummer not in page and case.personnummer.replace("-", "") not in page
    assert case.education_name not in page
    # A lower-case code typed without hyphens works too.
    assert client.get(f"/verifiera/{document.verification_code.lower()}/").status_code == 200


def test_a_forged_code_says_no_such_document(client, django_capture_on_commit_callbacks):
    _, case = applicant_with_case()
    document = issue(case, django_capture_on_commit_callbacks)
    forged = ("0" if document.verification_code[0] != "0" else "1") + document.verification_code[1:]
    response = client.get(f"/verifiera/{forged}/")
    assert response.status_code == 404
    assert "Inget sådant dokument" in response.content.decode()
    assert client.get("/verifiera/nonsense/").status_code == 404


def test_the_form_redirects_to_the_code(client):
    response = client.get("/verifiera/", {"code": "abcd efgh jkmn pqrs tvwx"})
    assert response.status_code == 302
    assert response["Location"] == "/verifiera/ABCD-EFGH-JKMN-PQRS-TVWX/"


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, 5, tzinfo=datetime.UTC), tick=False)  # one minute window
def test_the_verification_page_is_rate_limited(client, settings):
    settings.PORTAL_RATELIMIT_ENABLED = True
    cache.clear()
    codes = [client.get(f"/verifiera/{'A' * 20}/").status_code for _ in range(25)]
    assert codes[:20] == [404] * 20
    assert codes[-1] == 429
    cache.clear()


def test_the_applicant_is_told_who_is_responsible_instead(client):
    user, case = applicant_with_case(
        status=CaseStatus.NOT_RESPONSIBLE,
        advisor=None,
        responsible_organisation="TRR Trygghetsrådet",
        check_reasons=[{"rule": "R-1.40", "passed": False, "text": "arbetsgivaren har kollektivavtal", "text_en": ""}],
    )
    client.force_login(user)
    page = client.get("/mina-arenden/yttranden/").content.decode()
    assert "Ansvarig i stället: TRR Trygghetsrådet." in page
    assert "arbetsgivaren har kollektivavtal" in page
