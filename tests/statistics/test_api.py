"""Statistics API v1: tokens by the organisation's admin (hashed, shown once), upload → 202, list, detail."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from omstallning.accounts.roles import Role
from statistics.models import ApiToken, Submission
from tests.factories import UserFactory

from .factories import MemberFactory, csv_text, good_rows


@pytest.fixture
def admin_member(db):
    return MemberFactory(user=UserFactory(role=Role.ORGANISATION_REPORTER), is_admin=True)


def create_token(client, member):
    client.force_login(member.user)
    url = reverse("statistics:tokens", args=[member.organisation.pk])
    page = client.post(url, {"name": "ärendesystem"}).content.decode()
    token = ApiToken.objects.get()
    start = page.index("data-new-key>") + len("data-new-key>")
    raw = page[start : page.index("<", start)]
    return token, raw


@pytest.mark.django_db
def test_token_shown_once_and_stored_hashed(client, admin_member):
    token, raw = create_token(client, admin_member)
    assert raw.startswith("omst_") and raw not in token.key_hash and len(token.key_hash) == 64
    again = client.get(reverse("statistics:tokens", args=[admin_member.organisation.pk])).content.decode()
    assert raw not in again and token.prefix in again


@pytest.mark.django_db
def test_only_the_admin_member_creates_tokens(client, admin_member):
    plain = MemberFactory(organisation=admin_member.organisation, user=UserFactory(role=Role.ORGANISATION_REPORTER))
    client.force_login(plain.user)
    url = reverse("statistics:tokens", args=[admin_member.organisation.pk])
    assert client.post(url, {"name": "x"}).status_code == 404
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_upload_list_detail_and_revoke(client, admin_member, django_capture_on_commit_callbacks):
    token, raw = create_token(client, admin_member)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    rows = good_rows(8)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/statistics/v1/submissions",
            {"period": "2026-03", "file": SimpleUploadedFile("r.csv", csv_text(rows).encode())},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "processing" and body["period"] == "2026-03"
    assert response["Location"].endswith(f"/api/statistics/v1/submissions/{body['id']}")
    detail = api.get(f"/api/statistics/v1/submissions/{body['id']}").json()
    assert (detail["status"], detail["rows"], detail["errors"]) == ("accepted", 8, [])
    sub = Submission.objects.get(pk=body["id"])
    assert sub.source == "api" and sub.api_token == token and sub.uploaded_by is None

    rows[3]["outcome"] = "pension"
    with django_capture_on_commit_callbacks(execute=True):
        second = api.post(
            "/api/statistics/v1/submissions",
            {"period": "2026-03", "file": SimpleUploadedFile("r.csv", csv_text(rows).encode())},
            format="multipart",
        ).json()
    detail = api.get(f"/api/statistics/v1/submissions/{second['id']}").json()
    assert detail["status"] == "rejected" and detail["error_count"] == 1
    assert detail["errors"][0]["row"] == 5 and detail["errors"][0]["column"] == "outcome"
    listing = api.get("/api/statistics/v1/submissions").json()
    assert [s["id"] for s in listing] == [second["id"], body["id"]]

    client.post(reverse("statistics:token-revoke", args=[admin_member.organisation.pk, token.pk]))
    assert api.get("/api/statistics/v1/submissions").status_code == 401


@pytest.mark.django_db
def test_api_refuses_bad_input_and_other_organisations(client, admin_member):
    _token, raw = create_token(client, admin_member)
    other = MemberFactory(is_admin=True)
    foreign = Submission.objects.create(organisation=other.organisation, period="2026-03-01")
    api = APIClient()
    assert api.get("/api/statistics/v1/submissions").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get(f"/api/statistics/v1/submissions/{foreign.pk}").status_code == 404
    response = api.post("/api/statistics/v1/submissions", {"period": "mars"}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"period", "file"}
    api.credentials(HTTP_AUTHORIZATION="Token omst_wrong")
    assert api.get("/api/statistics/v1/submissions").status_code == 401


@pytest.mark.django_db
def test_openapi_schema_lists_the_statistics_api(client):
    client.force_login(UserFactory())
    schema = client.get("/api/schema/?format=json").content.decode()
    assert "/api/statistics/v1/submissions/{id}" in schema
    assert "statistics_submissions_create" in schema and "multipart/form-data" in schema
