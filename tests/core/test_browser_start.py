"""The start page and log-in in a real browser (Debian chromium through Playwright)."""

import pytest
from django.core.management import call_command

from omstallning.core.management.commands.seed_demo import DEMO_PASSWORD
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_page_login_language_switch(page, live_server):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() == "Stöd när ditt jobb tar slut eller förändras"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Hoppa till huvudinnehållet"
    page.click("text=In English")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("text=På svenska")
    browser_login(page, live_server, "sara.sokande", DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == "Mina sidor"
    page.click("button:has-text('Logga ut')")
    assert page.locator("h1").inner_text() == "Stöd när ditt jobb tar slut eller förändras"
