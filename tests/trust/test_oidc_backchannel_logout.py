"""OpenID Connect Back-Channel Logout 1.0, the portal's (RP) side: the e-legitimation broker POSTs
a signed logout token to /konto/oidc/backchannel-logout/ and the portal ends the sessions it names.

The broker is played locally: an RSA key made here, its JWKS served through a mock of the fetch the
backend uses (``requests.get`` in mozilla-django-oidc), the token endpoint mocked; no network. The
log-ins go through the real start and callback views, so the id token's `sub` and `sid` are stored
on the session row exactly as in production."""

import datetime as dt
import json
import logging
import secrets
import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from jwt.algorithms import RSAAlgorithm

from omstallning.accounts.models import SecurityEvent, UserSession
from omstallning.accounts.oidc import BACKCHANNEL_LOGOUT_EVENT, PortalOIDCBackend
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/konto/oidc/backchannel-logout/"
ISSUER = "https://broker.example.test"
JWKS_URL = f"{ISSUER}/jwks"
CLIENT_ID = "portal-test"
PNR = "191212121212"
SUB = "broker-subject-1"


class Broker:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.jwks_fetches = 0
        self.next_login = {}  # claims of the id token the mocked token endpoint returns next

    def jwks(self):
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def sign(self, claims, *, key=None, headers=None, algorithm="RS256"):
        return jwt.encode(
            claims,
            key or self.key,
            algorithm=algorithm,
            headers={"kid": self.kid, **(headers or {})},
        )

    def logout_token(self, drop=(), *, key=None, headers=None, **claims):
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_hex(8),
            "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
            "sub": SUB,
            **claims,
        }
        for name in drop:
            payload.pop(name, None)
        return self.sign(payload, key=key, headers={"typ": "logout+jwt", **(headers or {})})


class _Response:
    def __init__(self, data):
        self.data = data
        self.status_code = 200

    def raise_for_status(self):
        pass

    def json(self):
        return self.data


@pytest.fixture
def broker(settings, monkeypatch):
    import mozilla_django_oidc.auth

    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "s3cret-for-tests"  # noqa: S105
    settings.OIDC_OP_DISCOVERY_ENDPOINT = ""
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{ISSUER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{ISSUER}/token"
    settings.OIDC_OP_USER_ENDPOINT = ""
    settings.OIDC_OP_JWKS_ENDPOINT = JWKS_URL
    settings.OIDC_OP_LOGOUT_ENDPOINT = ""
    op = Broker()

    def fake_get(url, *args, **kwargs):
        assert url == JWKS_URL, "no other fetch is expected (no network in these tests)"
        op.jwks_fetches += 1
        return _Response(op.jwks())

    def fake_get_token(backend, payload):
        assert payload["code"] == "code-1"
        now = int(time.time())
        id_token = op.sign(
            {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": op.next_login.pop("nonce"),
                "personal_identity_number": PNR,
                **op.next_login,
            }
        )
        return {"id_token": id_token, "access_token": "access-1", "token_type": "Bearer"}

    monkeypatch.setattr(mozilla_django_oidc.auth.requests, "get", fake_get)
    monkeypatch.setattr(PortalOIDCBackend, "get_token", fake_get_token)
    return op


def e_legitimation_login(client, broker, *, sub=SUB, sid=None):
    """The browser's part: start, (the broker approves), come back to the callback."""
    start = client.get("/konto/e-legitimation/")
    assert start.status_code == 302 and start["Location"].startswith(f"{ISSUER}/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlparse(start["Location"]).query).items()}
    broker.next_login = {"nonce": query["nonce"], "sub": sub, **({"sid": sid} if sid else {})}
    back = client.get("/konto/e-legitimation/retur/", {"code": "code-1", "state": query["state"]})
    assert back.status_code == 302 and back["Location"] == "/mina-sidor/", "the log-in succeeded"
    return back


def logged_in(client) -> bool:
    response = client.get("/mina-sidor/")
    return response.status_code == 200


def post_token(client, token):
    return client.post(URL, {"logout_token": token})


@pytest.fixture
def two_browsers(client_factory, broker):
    """The same person logged in with e-legitimation in two browsers (two sessions at the broker)."""
    first, second = client_factory(), client_factory()
    e_legitimation_login(first, broker, sid="op-session-A")
    e_legitimation_login(second, broker, sid="op-session-B")
    assert logged_in(first) and logged_in(second)
    return first, second


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def ended_events():
    return SecurityEvent.objects.filter(kind="backchannel_logout").count()


def test_a_valid_token_ends_every_session_of_the_user_in_every_browser(client, two_browsers, broker):
    first, second = two_browsers
    bystander = UserFactory(username="bystander", role=Role.APPLICANT)
    other = type(client)()
    other.force_login(bystander)
    assert logged_in(other)

    response = post_token(client, broker.logout_token())  # no cookie: the broker's own request

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert not logged_in(first) and not logged_in(second), "both browsers are logged out on the next request"
    assert logged_in(other), "another person's session is untouched"
    assert not UserSession.objects.filter(user__personnummer=PNR).exists()
    assert ended_events() == 1
    event = SecurityEvent.objects.get(kind="backchannel_logout")
    assert event.user_id_ref == get_user_model().objects.get(personnummer=PNR).pk
    assert broker.jwks_fetches >= 1


def test_the_login_stores_keyed_hashes_of_sub_and_sid_never_the_values(client, broker):
    e_legitimation_login(client, broker, sid="op-session-A")
    row = UserSession.objects.get()
    assert len(row.oidc_subject) == 64 and len(row.oidc_session) == 64
    assert SUB not in row.oidc_subject and "op-session-A" not in row.oidc_session


def test_a_sid_only_token_ends_only_that_broker_sessions_portal_sessions(client, two_browsers, broker):
    first, second = two_browsers
    response = post_token(client, broker.logout_token(drop=["sub"], sid="op-session-A"))
    assert response.status_code == 200
    assert not logged_in(first)
    assert logged_in(second), "the session opened in the other broker session stays"
    assert ended_events() == 1


def test_sub_and_sid_end_that_broker_sessions_portal_sessions(client, two_browsers, broker):
    first, second = two_browsers
    assert post_token(client, broker.logout_token(sid="op-session-B")).status_code == 200
    assert logged_in(first) and not logged_in(second)


def test_a_sid_of_another_subject_ends_nothing(client, two_browsers, broker):
    first, second = two_browsers
    assert post_token(client, broker.logout_token(sub="someone-else", sid="op-session-A")).status_code == 200
    assert logged_in(first) and logged_in(second)
    assert ended_events() == 0


def test_an_unknown_sub_is_a_success_that_ends_nothing(client, two_browsers, broker):
    """Spec §2.7/2.8: a valid token for someone with no session here (already logged out) is a
    successful logout, so 200; a 400 would report a failure for a token that is fine, and would tell
    whoever reads the broker's log which subjects have sessions here."""
    first, second = two_browsers
    response = post_token(client, broker.logout_token(sub="unknown-subject"))
    assert response.status_code == 200
    assert logged_in(first) and logged_in(second)
    assert ended_events() == 0


def _other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


INVALID = {
    "bad signature": lambda b: b.logout_token(key=_other_key()),
    "wrong iss": lambda b: b.logout_token(iss="https://evil.example.test"),
    "wrong aud": lambda b: b.logout_token(aud="some-other-service"),
    "aud list without us": lambda b: b.logout_token(aud=["a", "b"]),
    "missing events": lambda b: b.logout_token(drop=["events"]),
    "events without the logout event": lambda b: b.logout_token(events={"http://example.test/other": {}}),
    "logout event not an object": lambda b: b.logout_token(events={BACKCHANNEL_LOGOUT_EVENT: "yes"}),
    "nonce present": lambda b: b.logout_token(nonce="n-1"),
    "neither sub nor sid": lambda b: b.logout_token(drop=["sub"]),
    "missing iat": lambda b: b.logout_token(drop=["iat"]),
    "missing jti": lambda b: b.logout_token(drop=["jti"]),
    "expired": lambda b: b.logout_token(iat=int(time.time()) - 100, exp=int(time.time()) - 10),
    "iat too old": lambda b: b.logout_token(iat=int(time.time()) - 3600, exp=int(time.time()) + 600),
    "iat in the future": lambda b: b.logout_token(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200),
    "an id token (typ JWT, no events)": lambda b: b.logout_token(drop=["events"], headers={"typ": "JWT"}),
    "another token type": lambda b: b.logout_token(headers={"typ": "at+jwt"}),
    "unsigned (alg none)": lambda b: jwt.encode(
        {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": int(time.time()),
            "jti": "x",
            "sub": SUB,
            "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
        },
        None,
        algorithm="none",
    ),  # fmt: skip
    "HS256 with the client secret": lambda b: b.sign(
        {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": int(time.time()),
            "jti": "x",
            "sub": SUB,
            "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
        },
        key="s3cret-for-tests-s3cret-for-tests",
        algorithm="HS256",
    ),  # fmt: skip
    "not a JWT": lambda b: "not-a-jwt",
    "empty": lambda b: "",
}


# Why each is refused (the JSON error's description): the check that caught it, not an earlier one.
REASON = {
    "bad signature": "signature not valid",
    "wrong iss": "wrong issuer",
    "wrong aud": "wrong audience",
    "aud list without us": "wrong audience",
    "missing events": "back-channel logout event missing",
    "events without the logout event": "back-channel logout event missing",
    "logout event not an object": "back-channel logout event missing",
    "nonce present": "nonce not allowed",
    "neither sub nor sid": "neither sub nor sid",
    "missing iat": "iat missing",
    "missing jti": "jti missing",
    "expired": "token expired",
    "iat too old": "token too old",
    "iat in the future": "token not valid",
    "an id token (typ JWT, no events)": "back-channel logout event missing",
    "another token type": "not a logout token (typ)",
    "unsigned (alg none)": "unsigned token",
    "HS256 with the client secret": "signature not valid",
    "not a JWT": "malformed token",
    "empty": "missing logout_token",
}


@pytest.mark.parametrize("case", list(INVALID))
def test_an_invalid_token_gives_400_and_ends_nothing(client, two_browsers, broker, case):
    first, second = two_browsers
    response = post_token(client, INVALID[case](broker))
    assert response.status_code == 400, case
    body = json.loads(response.content)
    assert body == {"error": "invalid_request", "error_description": REASON[case]}
    assert response["Cache-Control"] == "no-store"
    assert logged_in(first) and logged_in(second)
    assert UserSession.objects.count() == 2
    assert ended_events() == 0


def test_no_logout_token_at_all_gives_400(client, two_browsers, broker):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert all(logged_in(c) for c in two_browsers)


def test_a_replayed_token_is_refused(client, two_browsers, broker):
    first, second = two_browsers
    token = broker.logout_token(drop=["sub"], sid="op-session-A")
    assert post_token(client, token).status_code == 200
    assert not logged_in(first)
    e_legitimation_login(first, broker, sid="op-session-A")  # logs in again in the same broker session
    response = post_token(client, token)
    assert response.status_code == 400
    assert "jti" in json.loads(response.content)["error_description"]
    assert logged_in(first) and logged_in(second)
    assert ended_events() == 1


def test_a_token_older_than_the_maximum_age_is_refused_on_a_frozen_clock(client, two_browsers, broker, settings):
    settings.OIDC_BACKCHANNEL_LOGOUT_MAX_AGE = 120
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        token = broker.logout_token(exp=int(time.time()) + 3600)
        clock.shift(121)
        response = post_token(client, token)
    assert response.status_code == 400
    assert json.loads(response.content)["error_description"] == "token too old"
    assert all(logged_in(c) for c in two_browsers)


def test_the_endpoint_does_not_exist_while_e_legitimation_is_not_configured(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert client.post(URL, {"logout_token": "x"}).status_code == 404
    assert client.get(URL).status_code == 404


def test_only_post_is_accepted(client, broker):
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_csrf_is_not_required(broker):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {"logout_token": broker.logout_token(sub="nobody")}).status_code == 200


def test_the_endpoint_is_rate_limited(client, broker, settings):
    settings.PORTAL_RATELIMIT_ENABLED = True
    settings.OIDC_BACKCHANNEL_LOGOUT_RATE = "3/m"
    from django.core.cache import cache

    cache.clear()
    codes = [client.post(URL, {"logout_token": "x"}).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_neither_the_token_nor_the_sub_is_logged(client, two_browsers, broker, caplog):
    token = broker.logout_token()
    bad = broker.logout_token(aud="other")
    with caplog.at_level(logging.DEBUG):
        assert post_token(client, bad).status_code == 400
        assert post_token(client, token).status_code == 200
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "back-channel logout refused" in text
    for secret in (token, bad, SUB, PNR, token.split(".")[1]):
        assert secret not in text


def test_a_sub_logout_also_ends_the_users_other_sessions_and_removes_the_session_data(client, two_browsers, broker):
    from django.contrib.sessions.models import Session

    first, _second = two_browsers
    user = get_user_model().objects.get(personnummer=PNR)
    other_way = type(client)()
    other_way.force_login(user)  # a session not opened with e-legitimation (no sub stored on it)
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    assert len(keys) == 3

    assert post_token(client, broker.logout_token()).status_code == 200

    assert not logged_in(other_way), "every session of the person ends, as at log-out"
    assert not Session.objects.filter(session_key__in=keys).exists()


def test_issuer_and_keys_from_the_discovery_document(client, broker, settings, monkeypatch):
    import mozilla_django_oidc.auth
    from django.core.cache import cache

    cache.clear()
    discovery_url = f"{ISSUER}/.well-known/openid-configuration"
    settings.OIDC_OP_DISCOVERY_ENDPOINT = discovery_url
    for name in ("ISSUER", "AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "JWKS_ENDPOINT"):
        setattr(settings, f"OIDC_OP_{name}", "")
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": JWKS_URL,
    }

    def fake_get(url, *args, **kwargs):
        assert url in (discovery_url, JWKS_URL)
        return _Response(document if url == discovery_url else broker.jwks())

    monkeypatch.setattr(mozilla_django_oidc.auth.requests, "get", fake_get)
    assert post_token(client, broker.logout_token(sub="nobody")).status_code == 200
    assert post_token(client, broker.logout_token(iss="https://evil.example.test")).status_code == 400
