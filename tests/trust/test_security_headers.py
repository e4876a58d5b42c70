"""Every HTML page carries the nonce-based CSP without 'unsafe-inline' for scripts, plus the
other security headers; production settings add HSTS and secure cookies."""

import re

import pytest

from omstallning.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/tillganglighet/", "/konto/logga-in/", "/sida-som-inte-finns/"]
SIGNED_IN_PAGES = ["/mina-sidor/", "/admin/", "/admin/core/accesslog/", "/admin/accounts/user/"]


def _check_html(response):
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in policy.split(";") if d.strip()}
    script_src = directives["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    # Only 'self' and, where the page uses one, the per-request nonce (Django adds the nonce to
    # the header only when the page used it).
    assert set(script_src.split()[1:]) <= {"'self'"} | set(re.findall(r"'nonce-[A-Za-z0-9+/=_-]+'", script_src))
    assert directives["object-src"] == "object-src 'none'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    # No inline script without the nonce and no inline event handlers.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or "nonce=" in tag, tag
    assert not re.search(r"\son(click|load|submit|change|error)=", html)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(client, path):
    _check_html(client.get(path))


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages(client, path):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    response = client.get(path)
    assert response.status_code == 200
    _check_html(response)


def test_production_settings_harden_transport_and_cookies():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "omstallning/settings/production.py").read_text()
    for line in [
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        'SESSION_COOKIE_NAME = "__Host-sessionid"',
        "SECURE_SSL_REDIRECT",
    ]:
        assert line in text
