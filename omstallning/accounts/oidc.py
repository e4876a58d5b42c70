"""e-legitimation (BankID, Freja eID) through an OpenID Connect broker, with mozilla-django-oidc.

The broker is configured by the environment (settings/base.py, docs/security.md): the client id
and secret, and either the discovery URL (``OIDC_OP_DISCOVERY_ENDPOINT``) or the endpoints one by
one. The personnummer comes from the claim named in ``OIDC_PERSONNUMMER_CLAIMS`` (the first one
present: ``personal_identity_number``, then ``ssn``); users are matched by it and created as
applicants. On top of the library, the id token's issuer and audience are checked, and its `acr`
(level of assurance) when ``OIDC_ACCEPTED_ACR`` is set (asked for with ``acr_values``).
"""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from stdnum.se import personnummer as stdnum_personnummer

from .services import oidc_configured, user_from_e_legitimation

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
