"""The CSN API: token authentication, referrals, deduplication, fetching the PDF, the schema."""

import datetime
import logging

import pytest
import yaml
from django.utils import timezone
from rest_framework.test import APIClient

from applications.yttrande import services
from applications.yttrande.models import CaseStatus, Source, YttrandeCase
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import ASSESSMENT, ApiClientFactory, YttrandeCaseFactory, make_personnummer

pytestmark = pytest.mark.django_db
URL = "/api/yttrande/v1/remisser/"
TOKEN = "csn-test-token-0123456789-abcdefghijklmnopqrstuvwxyz"


def body(**overrides):
    data = {
        "personnummer": make_personnummer(datetime.date(1985, 8, 20)),
        "name": "Åsa Öberg",
        "csn_reference": "CSN-2026-12345",
        "education": {
            "name": "Undersköterska, vård och omsorg",
            "provider": "Komvux Göteborg",
            "start_date": "2027-01-12",
            "length_weeks": 40,
            "pace": 100,
        },
        "situation": "uppsagd_arbetsbrist",
        "kollektivavtal": False,
    }
    data.update(overrides)
    return data


@pytest.fixture
def csn():
    ApiClientFactory(name="CSN", token=TOKEN)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    return client


def test_the_token_is_stored_only_as_its_sha256():
    client = ApiClientFactory(token=TOKEN)
    assert client.token_hash == services.hash_token(TOKEN)
    assert TOKEN not in str(client.__dict__)


def test_a_referral_creates_a_case(csn):
    response = csn.post(URL, body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["created"] is True
    assert data["reference"].startswith("YTT-")
    assert data["responsible"] == "public_organisation"
    case = YttrandeCase.objects.get(reference=data["reference"])
    assert case.source == Source.CSN_API and case.api_client.name == "CSN"
    # The personnummer is not echoed back, and never part of a URL.
    assert case.personnummer not in response.content.decode()


def test_a_second_referral_returns_the_existing_case(csn):
    first = csn.post(URL, body(), format="json").json()
    response = csn.post(URL, body(csn_reference="CSN-2027-00001"), format="json")
    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["reference"] == first["reference"]
    assert YttrandeCase.objects.count() == 1


@pytest.mark.parametrize(
    "data, field",
    [
        (body(personnummer="19850820-0000"), "personnummer"),
        (body(personnummer="not a number"), "personnummer"),
        ({k: v for k, v in body().items() if k != "csn_reference"}, "csn_reference"),
        (body(csn_reference=""), "csn_reference"),
    ],
)
def test_bad_input_gets_400_naming_the_field(csn, data, field):
    response = csn.post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert YttrandeCase.objects.count() == 0


@pytest.mark.parametrize("kind", ["unknown", "expired", "revoked", "missing"])
def test_bad_tokens_get_401_and_are_logged_without_the_token(kind, caplog):
    bad = "x" * 40
    if kind == "expired":
        ApiClientFactory(token=bad, expires_at=timezone.now() - datetime.timedelta(days=1))
    elif kind == "revoked":
        ApiClientFactory(token=bad, revoked_at=timezone.now())
    client = APIClient()
    if kind != "missing":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {bad}")
    with caplog.at_level(logging.WARNING, logger="applications.yttrande"):
        response = client.post(URL, body(), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert YttrandeCase.objects.count() == 0
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "yttrande API" in logged
    if kind != "missing":
        assert f"({kind})" in logged
    assert bad not in logged


def test_a_logged_in_user_cannot_use_the_api():
    client = APIClient()
    client.force_login(UserFactory(role=Role.CASE_OFFICER))
    assert client.post(URL, body(), format="json").status_code == 401


def test_fetching_the_pdf_marks_it_sent(csn, django_capture_on_commit_callbacks):
    case = YttrandeCaseFactory()
    services.assessment_record(case=case, by=case.advisor.user, **ASSESSMENT)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.case_approve(case=case, by=UserFactory(role=Role.CASE_OFFICER))
    document.refresh_from_db()

    listed = csn.get("/api/yttrande/v1/ej-hamtade/").json()
    assert [c["reference"] for c in listed] == [case.reference]
    status = csn.get(f"/api/yttrande/v1/arenden/{case.reference}/").json()
    assert status["document"]["sha256"] == document.sha256

    response = csn.get(f"/api/yttrande/v1/arenden/{case.reference}/yttrande.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == services.document_read(document)
    document.refresh_from_db()
    case.refresh_from_db()
    assert document.sent_to_csn_at is not None
    assert case.status == CaseStatus.SENT
    assert csn.get("/api/yttrande/v1/ej-hamtade/").json() == []


def test_unknown_references_are_404(csn):
    assert csn.get("/api/yttrande/v1/arenden/YTT-2026-999999/").status_code == 404
    assert csn.get("/api/yttrande/v1/arenden/YTT-2026-999999/yttrande.pdf").status_code == 404


def test_the_api_is_in_the_openapi_schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    assert "/api/yttrande/v1/remisser/" in paths
    assert "/api/yttrande/v1/arenden/{reference}/yttrande.pdf" in paths
    post = paths["/api/yttrande/v1/remisser/"]["post"]
    assert "400" in post["responses"] and "401" in post["responses"]
    assert schema["components"]["securitySchemes"]["csnToken"]["scheme"] == "bearer"
    assert post["security"] == [{"csnToken": []}]
    referral = schema["components"]["schemas"]["Referral"]
    assert {"personnummer", "csn_reference", "education"} <= set(referral["required"])
