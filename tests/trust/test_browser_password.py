"""In the browser (Debian's chromium): "Glömt lösenordet?" from the log-in page through the mailed
link to a new password, and the password change form; axe-core (WCAG 2.1 AA) on each page, also
with its error summary. The pages run under the portal's CSP (no inline script is needed)."""

import re

import pytest
from playwright.sync_api import expect

from omstallning.accounts.roles import Role
from tests.conftest import browser_login
from tests.factories import TEST_PASSWORD, UserFactory

from .password_helpers import NEW_PASSWORD, reset_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_LABEL = re.compile(r"^\s*Nytt lösenord[\s*]*$")


def test_reset_and_change_pages_work_and_have_no_axe_violations(_playwright_browser, live_server, mailoutbox):
    from tests.e2e.conftest import axe_violations, describe

    user = UserFactory(username="browser.reset", role=Role.APPLICANT, email="browser.reset@example.org")
    browser = _playwright_browser
    context = browser.new_context(locale="sv-SE", bypass_csp=True)  # bypass only to inject axe-core
    page = context.new_page()
    found = {}
    try:
        page.goto(f"{live_server.url}/konto/logga-in/")
        page.get_by_role("link", name="Glömt lösenordet?").click()
        expect(page.get_by_role("heading", name="Glömt lösenordet?", level=1)).to_be_visible()
        page.get_by_role("button", name="Skicka länken").click()
        expect(page.get_by_role("alert")).to_contain_text("Skriv din e-postadress")
        found["reset form (errors)"] = axe_violations(page)
        page.get_by_label("E-postadress").fill("browser.reset@example.org")
        page.get_by_role("button", name="Skicka länken").click()
        expect(page.get_by_role("heading", name="Titta i din e-post")).to_be_visible()
        found["reset sent"] = axe_violations(page)

        assert len(mailoutbox) == 1
        page.goto(f"{live_server.url}{reset_link(mailoutbox[0])}")
        expect(page.get_by_role("heading", name="Välj ett nytt lösenord")).to_be_visible()
        assert "set-password" in page.url  # the token has left the address bar
        page.get_by_label(NEW_LABEL).fill("kort")
        page.get_by_label("Nytt lösenord igen").fill("kort")
        page.get_by_role("button", name="Spara det nya lösenordet").click()
        expect(page.get_by_role("alert")).to_be_visible()
        found["new password (errors)"] = axe_violations(page)
        page.get_by_label(NEW_LABEL).fill(NEW_PASSWORD)
        page.get_by_label("Nytt lösenord igen").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Spara det nya lösenordet").click()
        expect(page.get_by_role("heading", name="Ditt lösenord har ändrats")).to_be_visible()
        found["reset complete"] = axe_violations(page)
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)

        browser_login(page, live_server, "browser.reset", NEW_PASSWORD)
        page.goto(f"{live_server.url}/konto/sakerhet/")
        page.get_by_role("link", name="Ändra lösenord").click()
        expect(page.get_by_role("heading", name="Ändra lösenord", level=1)).to_be_visible()
        page.get_by_label("Ditt nuvarande lösenord").fill("fel-losenord")
        page.get_by_label(NEW_LABEL).fill(TEST_PASSWORD + "-ny")
        page.get_by_label("Nytt lösenord igen").fill(TEST_PASSWORD + "-ny")
        page.locator("main form button[type=submit]").click()
        expect(page.get_by_role("alert")).to_contain_text("Det nuvarande lösenordet är fel")
        found["change (errors)"] = axe_violations(page)
        page.get_by_label("Ditt nuvarande lösenord").fill(NEW_PASSWORD)
        page.get_by_label(NEW_LABEL).fill(TEST_PASSWORD + "-ny")
        page.get_by_label("Nytt lösenord igen").fill(TEST_PASSWORD + "-ny")
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/konto/sakerhet/$"))
        expect(page.get_by_text("Ditt lösenord har ändrats.")).to_be_visible()
    finally:
        context.close()
    problems = {name: describe(v) for name, v in found.items() if v}
    assert not problems, problems
