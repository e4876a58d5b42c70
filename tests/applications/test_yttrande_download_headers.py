"""The yttrande downloads (the applicant's, the staff's and the CSN API's) name the file through
the core helpers (safe_download_name + Django's RFC 6266/5987 encoding), never by hand."""

import pytest
from django.utils.http import content_disposition_header
from rest_framework.test import APIClient

from applications.yttrande import services
from applications.yttrande.models import YttrandeCase
from omstallning.accounts.roles import Role
from tests.factories import UserFactory
from tests.yttrande.factories import ASSESSMENT, ApiClientFactory, YttrandeCaseFactory

pytestmark = pytest.mark.django_db
TOKEN = "csn-test-token-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def issued(django_capture_on_commit_callbacks):
    case = YttrandeCaseFactory(applicant=UserFactory(role=Role.APPLICANT))
    services.assessment_record(case=case, by=case.advisor.user, **ASSESSMENT)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.case_approve(case=case, by=UserFactory(role=Role.CASE_OFFICER))
    document.refresh_from_db()
    return case, document


def _rename(case, reference):
    """A reference with what a header must not carry raw (a quote, a semicolon, a non-ASCII letter)."""
    YttrandeCase.objects.filter(pk=case.pk).update(reference=reference)
    case.refresh_from_db()
    return case


def _csn():
    ApiClientFactory(name="CSN", token=TOKEN)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    return api


def test_the_applicants_download_is_an_attachment_named_by_the_helper(client, issued):
    case, _document = issued
    client.force_login(case.applicant)
    response = client.get(f"/mina-arenden/yttranden/{case.reference}/v1.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="yttrande-{case.reference}-v1.pdf"'
    assert response["Cache-Control"] == "private, no-store"


def test_the_staff_download_is_inline_and_named_by_the_helper(client, issued):
    _rename(issued[0], 'YTT-Å"1;2')
    document = issued[1]
    client.force_login(UserFactory(role=Role.CASE_OFFICER, is_staff=True))
    response = client.get(f"/handlaggare/yttranden/{document.pk}.pdf")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header == content_disposition_header(False, "yttrande-YTT-Å_1_2-v1.pdf")
    assert header.startswith("inline; filename*=utf-8''")
    assert '"1' not in header and ";2" not in header


def test_the_api_download_is_an_attachment_named_by_the_helper(issued):
    case, _document = issued
    api = _csn()
    response = api.get(f"/api/yttrande/v1/arenden/{case.reference}/yttrande.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="yttrande-{case.reference}-v1.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-SHA256"]


def test_a_reference_with_a_quote_does_not_break_the_api_header(issued):
    case = _rename(issued[0], 'YTT-"x";y')
    api = _csn()
    response = api.get(f"/api/yttrande/v1/arenden/{case.reference}/yttrande.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="yttrande-YTT-_x__y-v1.pdf"'
