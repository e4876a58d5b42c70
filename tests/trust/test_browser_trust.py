"""In the browser (Debian's chromium): a case officer connects an authenticator app and logs in
with the code; an applicant logs in with e-legitimation through the broker on loopback."""

import re

import pytest
from playwright.sync_api import expect

from omstallning.accounts.roles import Role
from tests.conftest import browser_login
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import code_from_secret
from .oidc_provider import OIDCProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_officer_connects_an_authenticator_app_then_reaches_the_admin(page, live_server, settings):
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    UserFactory(username="browser.officer", role=Role.CASE_OFFICER)
    browser_login(page, live_server, "browser.officer", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/konto/tvastegsverifiering/koppla-app/"))
    expect(page.get_by_role("heading", name="Koppla en autentiseringsapp")).to_be_visible()
    expect(page.get_by_alt_text("QR-kod för autentiseringsappen")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Kod från autentiseringsappen").fill(code_from_secret(secret))
    page.get_by_role("button", name="Koppla och fortsätt").click()
    # The recovery codes, shown once, then on.
    expect(page.get_by_role("heading", name="Dina återställningskoder")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="Jag har sparat koderna, fortsätt").click()
    expect(page.get_by_role("heading", name="Mina sidor")).to_be_visible()
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_applicant_logs_in_with_e_legitimation(page, live_server, settings):
    with OIDCProvider() as op:
        settings.OIDC_RP_CLIENT_ID = op.client_id
        settings.OIDC_RP_CLIENT_SECRET = op.client_secret
        settings.OIDC_OP_DISCOVERY_ENDPOINT = op.discovery_url
        op.next_claims = {"sub": "b-1", "personal_identity_number": "191212121212", "given_name": "Tolvan"}
        page.goto(f"{live_server.url}/konto/logga-in/")
        page.get_by_role("link", name="Logga in med e-legitimation").click()
        expect(page.get_by_role("heading", name="Mina sidor")).to_be_visible()
        expect(page.get_by_text("Tolvan")).to_be_visible()
        assert "191212121212" not in page.url


def test_security_pages_have_no_axe_violations_and_end_a_session(_playwright_browser, live_server):
    """WCAG 2.1 AA (axe-core) on the security page, the re-authentication page and the contact form
    with its error summary; ending another session works with the keyboard."""
    from tests.e2e.conftest import axe_violations, describe

    UserFactory(username="browser.applicant", role=Role.APPLICANT)
    browser = _playwright_browser
    other = browser.new_context(locale="sv-SE")
    other_page = other.new_page()
    browser_login(other_page, live_server, "browser.applicant", TEST_PASSWORD)
    context = browser.new_context(locale="sv-SE", bypass_csp=True)  # bypass only to inject axe-core
    page = context.new_page()
    try:
        browser_login(page, live_server, "browser.applicant", TEST_PASSWORD)
        page.goto(f"{live_server.url}/konto/sakerhet/")
        expect(page.get_by_role("heading", name="Säkerhet och inloggningar", level=1)).to_be_visible()
        found = {"/konto/sakerhet/": axe_violations(page)}
        end_button = page.get_by_role("button", name=re.compile(r"^Avsluta session"))
        expect(end_button).to_have_count(1)
        end_button.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Sessionen har avslutats.")).to_be_visible()
        other_page.goto(f"{live_server.url}/mina-sidor/")
        expect(other_page).to_have_url(re.compile(r"/konto/logga-in/"))

        page.goto(f"{live_server.url}/konto/sakerhet/kontaktuppgifter/")
        page.get_by_label("E-postadress").fill("inte-en-adress")
        page.get_by_role("button", name="Spara").click()
        expect(page.get_by_role("alert")).to_contain_text("Skriv en e-postadress")
        found["/konto/sakerhet/kontaktuppgifter/ (errors)"] = axe_violations(page)
        page.goto(f"{live_server.url}/konto/bekrafta/")
        found["/konto/bekrafta/"] = axe_violations(page)
        problems = {url: describe(v) for url, v in found.items() if v}
        assert not problems, problems
    finally:
        context.close()
        other.close()
