"""e-legitimation (BankID, Freja eID) through an OpenID Connect broker, with mozilla-django-oidc.

The broker is configured by the environment (settings/base.py, docs/security.md): the client id
and secret, and either the discovery URL (``OIDC_OP_DISCOVERY_ENDPOINT``) or the endpoints one by
one. The personnummer comes from the claim named in ``OIDC_PERSONNUMMER_CLAIMS`` (the first one
present: ``personal_identity_number``, then ``ssn``); users are matched by it and created as
applicants. On top of the library, the id token's issuer and audience are checked, and its `acr`
(level of assurance) when ``OIDC_ACCEPTED_ACR`` is set (asked for with ``acr_values``).
"""

import hashlib
import logging
import time

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from stdnum.se import personnummer as stdnum_personnummer

from .services import (
    OIDC_LOGIN_REQUEST_ATTR,
    oidc_backchannel_logout,
    oidc_configured,
    user_from_e_legitimation,
)

logger = logging.getLogger(__name__)

# Setting name -> key in the provider's discovery document.
DISCOVERY_KEYS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_ISSUER": "issuer",
}
DISCOVERY_CACHE_SECONDS = 3600


def discovery_document() -> dict:
    url = settings.OIDC_OP_DISCOVERY_ENDPOINT
    if not url:
        return {}
    key = f"accounts:oidc-discovery:{url}"
    document = cache.get(key)
    if document is None:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def oidc_setting(attr, *args):
    """A mozilla-django-oidc setting; provider endpoints fall back to the discovery document."""
    if attr in DISCOVERY_KEYS:
        value = getattr(settings, attr, "")
        if not value and settings.OIDC_OP_DISCOVERY_ENDPOINT:
            value = discovery_document().get(DISCOVERY_KEYS[attr], "")
        if value:
            return value
        if args:
            return args[0]
        if attr in ("OIDC_OP_USER_ENDPOINT", "OIDC_OP_ISSUER"):
            return ""
        raise ImproperlyConfigured(f"Setting {attr} not found (set it or OIDC_OP_DISCOVERY_ENDPOINT)")
    return import_from_settings(attr, *args)


def broker_logout_url(request) -> str | None:
    """The broker's RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) for a person who
    logged in with e-legitimation: the `end_session_endpoint` with our client id and where to come
    back. No id_token_hint: it could carry the personnummer, and it would go into a URL."""
    from urllib.parse import urlencode

    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "") or ""
    if not endpoint and settings.OIDC_OP_DISCOVERY_ENDPOINT:
        try:
            endpoint = discovery_document().get("end_session_endpoint", "")
        except (requests.RequestException, ValueError):
            logger.warning("e-legitimation broker's discovery document unavailable at log-out")
            endpoint = ""
    if not endpoint:
        return None
    query = urlencode(
        {
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("core:home")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def accepted_acr() -> list[str]:
    """The levels of assurance (`acr` values, e.g. the broker's URI for LoA3) a log-in must have;
    empty when the portal does not check (OIDC_ACCEPTED_ACR)."""
    return [value for value in getattr(settings, "OIDC_ACCEPTED_ACR", []) if value]


def personnummer_from_claims(claims: dict) -> str | None:
    """The personnummer as 12 digits from the first configured claim that holds one, else None."""
    for name in settings.OIDC_PERSONNUMMER_CLAIMS:
        value = claims.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        text = value.strip()
        if len(text.replace("-", "").replace("+", "")) != 12:
            return None  # brokers send 12 digits; a short form would leave the century to guess
        try:
            return stdnum_personnummer.validate(text).replace("-", "")
        except ValueError:
            return None
    return None


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        self.configured = oidc_configured()
        self.UserModel = get_user_model()
        if self.configured:
            super().__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)

    def authenticate(self, request, **kwargs):
        # Only the broker's callback authenticates with this backend; a password log-in never does.
        if not self.configured or request is None:
            return None
        if request.path != reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL):
            return None
        try:
            user = super().authenticate(request, **kwargs)
        except SuspiciousOperation as exc:
            logger.warning("e-legitimation refused: %s", exc)
            return None
        except requests.RequestException as exc:
            logger.error("e-legitimation broker unreachable or refused the request: %s", type(exc).__name__)
            return None
        if user is not None and not user.is_active:
            return None
        return user

    def verify_token(self, token, **kwargs):
        check_id_token = "nonce" in kwargs
        payload = super().verify_token(token, **kwargs)
        if check_id_token:
            issuer = self.get_settings("OIDC_OP_ISSUER", "")
            if issuer and payload.get("iss") != issuer:
                raise SuspiciousOperation("id token issuer does not match")
            audience = payload.get("aud")
            audiences = [audience] if isinstance(audience, str) else list(audience or [])
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("id token audience does not match")
            accepted = accepted_acr()
            if accepted and payload.get("acr") not in accepted:
                raise SuspiciousOperation("id token acr (level of assurance) not accepted")
            request = getattr(self, "request", None)
            if request is not None:
                # For session_register (user_logged_in, same request): the broker's subject and
                # session id, so that a back-channel logout can find this session later.
                setattr(
                    request,
                    OIDC_LOGIN_REQUEST_ATTR,
                    {
                        "iss": issuer or str(payload.get("iss", "")),
                        "sub": payload.get("sub") if isinstance(payload.get("sub"), str) else None,
                        "sid": payload.get("sid") if isinstance(payload.get("sid"), str) else None,
                    },
                )
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo subject does not match the id token")
            claims.update(userinfo)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        personnummer = personnummer_from_claims(claims)
        if personnummer is None:
            raise SuspiciousOperation("no valid personal identity number in the configured claims")
        return user_from_e_legitimation(
            personnummer=personnummer,
            given_name=str(claims.get("given_name", "")),
            family_name=str(claims.get("family_name", "")),
        )


class ELegitimationStartView(OIDCAuthenticationRequestView):
    """Sends the applicant to the broker (authorization code flow with PKCE, state and nonce)."""

    def __init__(self, *args, **kwargs):
        if not oidc_configured():
            self.not_configured = True
            return
        self.not_configured = False
        super().__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request) or {})
        accepted = accepted_acr()
        if accepted:
            params["acr_values"] = " ".join(accepted)
        return params

    def get(self, request):
        if self.not_configured:
            messages.error(request, _("Log-in with e-legitimation is not available right now."))
            return HttpResponseRedirect(reverse("accounts:login"))
        return super().get(request)


class ELegitimationCallbackView(OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)

    @property
    def failure_url(self):
        return reverse("accounts:login")

    def login_failure(self):
        messages.error(self.request, _("The log-in with e-legitimation did not succeed. Try again."))
        return super().login_failure()


# --- OpenID Connect Back-Channel Logout 1.0 (RP side) ------------------------------------------

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# How old a logout token's `iat` may be (seconds; OIDC_BACKCHANNEL_LOGOUT_MAX_AGE), and how far in
# the future it may lie (clock skew).
BACKCHANNEL_LOGOUT_MAX_AGE = 300
BACKCHANNEL_LOGOUT_CLOCK_SKEW = 60
BACKCHANNEL_LOGOUT_RATE = "120/m"
# `typ` header values accepted (spec §4.1, cross-JWT confusion); any other (at+jwt, ...) is refused.
_LOGOUT_TOKEN_TYPES = {"logout+jwt", "application/logout+jwt", "jwt", "application/jwt"}


class LogoutTokenError(Exception):
    """A logout token that must be refused; the message is short and names no claim value."""


def _backchannel_max_age() -> int:
    return int(getattr(settings, "OIDC_BACKCHANNEL_LOGOUT_MAX_AGE", BACKCHANNEL_LOGOUT_MAX_AGE))


def logout_token_claims(token: str) -> dict:
    """Validates a logout token as the spec's §2.6 says and returns its claims.

    The signature is checked as the id token's (the library's key look-up and JWS check that
    PortalOIDCBackend.verify_token uses: the algorithm must be OIDC_RP_SIGN_ALGO, the key comes
    from the broker's JWKS, or OIDC_RP_IDP_SIGN_KEY). Then `iss` must be the broker; `aud` must
    contain our client id; `iat` must be present, not in the future and at most
    OIDC_BACKCHANNEL_LOGOUT_MAX_AGE seconds old; `exp` (when present) not passed; `jti` present;
    `events` must hold the back-channel-logout event with an object value; `sub` and/or `sid`
    must be present; and there must be no `nonce`. Raises LogoutTokenError."""
    if not isinstance(token, str) or not token or len(token) > 16_000:
        raise LogoutTokenError("missing logout_token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise LogoutTokenError("malformed token") from None
    if str(header.get("alg", "none")).lower() == "none":
        raise LogoutTokenError("unsigned token")
    typ = header.get("typ")
    if typ is not None and str(typ).lower() not in _LOGOUT_TOKEN_TYPES:
        raise LogoutTokenError("not a logout token (typ)")
    try:
        issuer = oidc_setting("OIDC_OP_ISSUER", "")
        backend = PortalOIDCBackend()
    except (requests.RequestException, ValueError, ImproperlyConfigured) as exc:
        logger.error("back-channel logout: the broker's configuration unavailable: %s", type(exc).__name__)
        raise LogoutTokenError("broker configuration unavailable") from None
    if not issuer:
        raise LogoutTokenError("the broker's issuer is not configured")
    try:
        # As the library's verify_token does for the id token, without its nonce step (a logout
        # token has none; its presence is refused below): the key, then the JWS check.
        if backend.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
            key = backend.OIDC_RP_IDP_SIGN_KEY or backend.retrieve_matching_jwk(token)
        else:
            key = backend.OIDC_RP_CLIENT_SECRET
        claims = backend._verify_jws(token, key)
    except SuspiciousOperation:
        raise LogoutTokenError("signature not valid") from None
    except jwt.ExpiredSignatureError:
        raise LogoutTokenError("token expired") from None
    except jwt.InvalidTokenError:
        raise LogoutTokenError("token not valid") from None
    except (KeyError, ValueError, TypeError):
        raise LogoutTokenError("signature not valid") from None
    except requests.RequestException as exc:
        logger.error("back-channel logout: the broker's JWKS unavailable: %s", type(exc).__name__)
        raise LogoutTokenError("signing keys unavailable") from None
    if not isinstance(claims, dict):
        raise LogoutTokenError("token not valid")
    if claims.get("iss") != issuer:
        raise LogoutTokenError("wrong issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    if settings.OIDC_RP_CLIENT_ID not in audiences:
        raise LogoutTokenError("wrong audience")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise LogoutTokenError("iat missing")
    now = time.time()
    if iat > now + BACKCHANNEL_LOGOUT_CLOCK_SKEW:
        raise LogoutTokenError("iat in the future")
    if now - iat > _backchannel_max_age():
        raise LogoutTokenError("token too old")
    if "nonce" in claims:
        raise LogoutTokenError("nonce not allowed")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
        raise LogoutTokenError("back-channel logout event missing")
    sub, sid = claims.get("sub"), claims.get("sid")
    if sub is not None and (not isinstance(sub, str) or not sub):
        raise LogoutTokenError("sub not valid")
    if sid is not None and (not isinstance(sid, str) or not sid):
        raise LogoutTokenError("sid not valid")
    if not sub and not sid:
        raise LogoutTokenError("neither sub nor sid")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise LogoutTokenError("jti missing")
    return claims


def _jti_first_use(claims: dict) -> bool:
    """Remembers the token's `jti` (hashed with the issuer) for as long as the token could be
    accepted; False when it was seen before (a replay)."""
    exp = claims.get("exp")
    until = claims["iat"] + _backchannel_max_age() + BACKCHANNEL_LOGOUT_CLOCK_SKEW
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        until = max(until, exp)
    lifetime = max(1, int(until - time.time()) + 1)
    digest = hashlib.sha256(f"{claims['iss']}\n{claims['jti']}".encode()).hexdigest()
    return cache.add(f"accounts:oidc-logout-jti:{digest}", 1, timeout=lifetime)


def _logout_error(description: str):
    response = JsonResponse({"error": "invalid_request", "error_description": description}, status=400)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
def backchannel_logout(request):
    """The broker's back-channel logout (POST, form-encoded `logout_token`; no cookie, no session).
    200 when the token is valid (also when no session matched: the person is already logged out,
    spec §2.7), 400 with a JSON error otherwise and nothing ended. 404 while e-legitimation is not
    configured. Neither the token nor its `sub`/`sid` is logged."""
    from omstallning.core.ratelimit import client_ip, hit, too_many_requests

    if not oidc_configured():
        raise Http404
    if request.method != "POST":
        response = JsonResponse({"error": "invalid_request", "error_description": "POST only"}, status=405)
        response["Allow"] = "POST"
        response["Cache-Control"] = "no-store"
        return response
    if settings.PORTAL_RATELIMIT_ENABLED:
        rate = getattr(settings, "OIDC_BACKCHANNEL_LOGOUT_RATE", BACKCHANNEL_LOGOUT_RATE)
        result = hit(group="oidc-backchannel-logout", identity=f"ip:{client_ip(request)}", rate=rate)
        if not result.allowed:
            return too_many_requests(request, result.retry_after)
    try:
        claims = logout_token_claims(request.POST.get("logout_token", ""))
        if not _jti_first_use(claims):
            raise LogoutTokenError("token already used (jti)")
    except LogoutTokenError as exc:
        logger.warning("back-channel logout refused: %s", exc)
        return _logout_error(str(exc))
    ended = oidc_backchannel_logout(issuer=claims["iss"], sub=claims.get("sub"), sid=claims.get("sid"))
    logger.info("back-channel logout: sessions of %d user(s) ended", ended)
    response = JsonResponse({})
    response["Cache-Control"] = "no-store"
    return response
