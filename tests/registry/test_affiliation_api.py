"""The affiliation API: token auth (hashed, shown once), list and replace."""

import pytest
from django.urls import reverse

from registry.models import ApiToken, EmployerAffiliation
from registry.services import api_token_create, hash_key

from .factories import EMPLOYER_A, EMPLOYER_B, member_of, registered_organisation

URL = "/api/registry/v1/affiliations"


@pytest.fixture
def org(db):
    return registered_organisation("API-organisationen")


@pytest.fixture
def key(org):
    _token, raw = api_token_create(organisation=org, name="lönesystem", by=member_of(org))
    return raw


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Token {raw}"}


def test_token_is_stored_hashed(org, key):
    token = ApiToken.objects.get(organisation=org)
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_put_replaces_and_get_lists(client, org, key):
    body = [
        {"org_number": EMPLOYER_A, "name": "Alfa AB", "valid_from": "2023-01-01", "valid_to": None},
        {
            "org_number": EMPLOYER_B.replace("-", ""),
            "name": "Beta AB",
            "valid_from": "2023-01-01",
            "valid_to": "2023-12-31",
        },
    ]
    response = client.put(URL, body, content_type="application/json", **auth(key))
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 2
    listed = client.get(URL, **auth(key)).json()
    assert [a["org_number"] for a in listed] == [EMPLOYER_A, EMPLOYER_B]
    assert ApiToken.objects.get(organisation=org).last_used_at is not None


def test_bad_rows_give_row_errors_and_change_nothing(client, org, key):
    body = [{"org_number": "123", "name": "", "valid_from": "2023-01-01"}]
    response = client.put(URL, body, content_type="application/json", **auth(key))
    assert response.status_code == 400
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} == {(1, "org_number"), (1, "name")}
    assert not EmployerAffiliation.objects.exists()


def test_without_or_with_a_wrong_or_revoked_token_is_refused(client, org, key):
    assert client.get(URL).status_code in (401, 403)
    assert client.get(URL, **auth(key + "x")).status_code == 401
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(URL, **auth(key)).status_code == 401


def test_member_creates_a_token_on_the_page_and_sees_it_once(client, org):
    user = member_of(org)
    client.force_login(user)
    response = client.post(reverse("registry:token_create", args=[org.pk]), {"name": "Lön"})
    raw = response.context["raw"]
    assert raw.encode() in response.content
    page = client.get(reverse("registry:affiliations", args=[org.pk]))
    assert raw.encode() not in page.content


def test_other_organisations_pages_are_404(client, org, user_factory):
    other = registered_organisation("Annan organisation")
    client.force_login(member_of(other))
    assert client.get(reverse("registry:affiliations", args=[org.pk])).status_code == 404
    assert client.get(reverse("registry:compensation", args=[org.pk])).status_code == 404


def test_upload_page_shows_row_errors(client, org):
    client.force_login(member_of(org))
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"organisationsnummer;namn;giltig_fran;giltig_till\n556036-0794;Fel AB;2023-01-01;\n"
    response = client.post(
        reverse("registry:affiliations", args=[org.pk]), {"file": SimpleUploadedFile("l.csv", data)}
    )
    assert response.status_code == 200
    assert response.context["row_errors"] == [
        {"row": 2, "column": "org_number", "message": response.context["row_errors"][0]["message"]}
    ]
    ok = b"organisationsnummer;namn;giltig_fran;giltig_till\n556036-0793;Alfa AB;2023-01-01;\n"
    response = client.post(reverse("registry:affiliations", args=[org.pk]), {"file": SimpleUploadedFile("l.csv", ok)})
    assert response.status_code == 302
    assert EmployerAffiliation.objects.filter(organisation=org, employer_org_number=EMPLOYER_A).exists()
