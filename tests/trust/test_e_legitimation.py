"""Applicants log in with e-legitimation through an OIDC broker: here a real provider on loopback
(tests/trust/oidc_provider.py), so discovery, PKCE, the token request, the RS256 signature check
against the JWKS and userinfo all really happen."""

import urllib.request
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model

from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .oidc_provider import OIDCProvider

pytestmark = pytest.mark.django_db
PNR = "191212121212"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _follow_broker(client, provider, start_url="/konto/e-legitimation/"):
    """The browser's part: start at the portal, go to the broker, come back with the code."""
    response = client.get(start_url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.url}/authorize?")
    assert "code_challenge=" in response["Location"]
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(response["Location"], timeout=10)
        raise AssertionError("the broker should redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
        back = urlparse(redirect.headers["Location"])
    assert back.path == "/konto/e-legitimation/retur/"
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def provider(settings):
    with OIDCProvider() as op:
        settings.OIDC_RP_CLIENT_ID = op.client_id
        settings.OIDC_RP_CLIENT_SECRET = op.client_secret
        settings.OIDC_OP_DISCOVERY_ENDPOINT = op.discovery_url
        op.next_claims = {
            "sub": "broker-subject-1",
            "personal_identity_number": PNR,
            "given_name": "Tolvan",
            "family_name": "Tolvansson",
        }
        yield op


def test_the_log_in_page_offers_e_legitimation_only_when_configured(client, settings, provider):
    assert "Logga in med e-legitimation" in client.get("/konto/logga-in/").content.decode()
    settings.OIDC_RP_CLIENT_ID = ""
    assert "Logga in med e-legitimation" not in client.get("/konto/logga-in/").content.decode()
    response = client.get("/konto/e-legitimation/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/logga-in/"


def test_a_new_person_becomes_an_applicant_with_the_personnummer_from_the_claim(client, provider):
    response = _follow_broker(client, provider)
    assert response.status_code == 302
    assert response["Location"] == "/mina-sidor/"
    user = get_user_model().objects.get(personnummer=PNR)
    assert user.has_role(Role.APPLICANT)
    assert PNR not in user.username and PNR[2:] not in user.username
    assert (user.first_name, user.last_name) == ("Tolvan", "Tolvansson")
    assert not user.has_usable_password()
    assert client.get("/mina-sidor/").context["user"] == user
    assert ("POST", "/token") in provider.requests and ("GET", "/jwks") in provider.requests


def test_a_returning_person_is_matched_by_personnummer(client, provider):
    existing = UserFactory(username="sara", role=Role.APPLICANT, personnummer=PNR)
    provider.next_claims = {"sub": "x", "ssn": "19121212-1212"}  # the other claim name, with hyphen
    _follow_broker(client, provider)
    assert client.get("/mina-sidor/").context["user"] == existing
    assert get_user_model().objects.filter(personnummer=PNR).count() == 1


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "a", "personal_identity_number": "191212121213"},  # wrong check digit
        {"sub": "a", "personal_identity_number": "121212-1212"},  # no century
        {"sub": "a", "email": "someone@example.org"},  # no personnummer at all
    ],
)
def test_no_valid_personnummer_means_no_log_in(client, provider, claims):
    provider.next_claims = claims
    response = _follow_broker(client, provider)
    assert response.status_code == 302
    assert response["Location"] == "/konto/logga-in/"
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.exists()


def test_a_token_for_another_client_is_refused(client, provider):
    provider.audience = "some-other-service"
    response = _follow_broker(client, provider)
    assert response["Location"] == "/konto/logga-in/"
    assert "_auth_user_id" not in client.session


def test_a_forged_state_is_refused(client, provider):
    client.get("/konto/e-legitimation/")
    response = client.get("/konto/e-legitimation/retur/", {"code": "made-up", "state": "forged"})
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session


def test_an_e_legitimation_session_needs_no_totp(client, provider, settings):
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    UserFactory(username="both", role=Role.ADVISOR, personnummer=PNR)
    _follow_broker(client, provider)
    assert client.get("/mina-sidor/").status_code == 200


def test_a_password_log_in_never_reaches_the_broker(client, provider):
    UserFactory(username="staffer", role=Role.CASE_OFFICER)
    client.post("/konto/logga-in/?code=x&state=y", {"username": "staffer", "password": "test-password-123"})
    assert ("POST", "/token") not in provider.requests


ACR_LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


def test_the_level_of_assurance_is_asked_for_and_checked(client, provider, settings):
    settings.OIDC_ACCEPTED_ACR = [ACR_LOA3]
    start = client.get("/konto/e-legitimation/")
    assert "acr_values=http%3A%2F%2Fid.elegnamnden.se%2Floa%2F1.0%2Floa3" in start["Location"]
    provider.next_claims = {**provider.next_claims, "acr": ACR_LOA3}
    response = _follow_broker(client, provider)
    assert response.status_code == 302 and response["Location"] == "/mina-sidor/"
    assert client.get("/mina-sidor/").status_code == 200


@pytest.mark.parametrize("acr", [None, "http://id.elegnamnden.se/loa/1.0/loa2"])
def test_a_lower_or_missing_level_of_assurance_is_refused(client, provider, settings, acr):
    settings.OIDC_ACCEPTED_ACR = [ACR_LOA3]
    claims = {k: v for k, v in provider.next_claims.items() if k != "acr"}
    if acr:
        claims["acr"] = acr
    provider.next_claims = claims
    response = _follow_broker(client, provider)
    assert response.status_code == 302 and response["Location"] == "/konto/logga-in/"
    assert not get_user_model().objects.filter(personnummer=PNR).exists()


def test_log_out_offers_the_brokers_log_out_without_personal_data_in_the_url(client, provider):
    _follow_broker(client, provider)
    assert client.get("/mina-sidor/").status_code == 200
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 200
    html = response.content.decode()
    import html as html_lib
    import re

    href = html_lib.unescape(re.search(r'href="([^"]+)" data-testid="broker-logout"', html).group(1))
    assert href.startswith(f"{provider.url}/logout?")
    assert "client_id=portal-test" in href
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2F" in href
    assert PNR not in href and "id_token_hint" not in href
    assert client.get("/mina-sidor/").status_code == 302  # logged out of the portal


def test_a_password_log_out_is_the_usual_redirect(client, provider):
    UserFactory(username="pw", role=Role.APPLICANT)
    client.post("/konto/logga-in/", {"username": "pw", "password": "test-password-123"})
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302
