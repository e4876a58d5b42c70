"""The pre-check in a real browser (Debian chromium through Playwright): a pass and a refusal."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_common(page, live_server):
    page.goto(live_server.url + "/kan-jag-fa-stod/")
    assert page.locator("h1").inner_text() == "Kan jag få stöd?"
    page.check("input[name=service][value=radgivning]")
    page.check("input[name=situation][value=uppsagd_arbetsbrist]")
    page.fill("input[name=birth_date]", "1980-05-10")
    page.fill("input[name=employment_end_date]", "2099-01-31")
    page.check("input[name=active_in_sweden][value=yes]")
    page.check("input[name=registered_with_skatteverket][value=yes]")
    page.check("input[name=finances_registered_organisation][value=no]")


def test_passing_case_with_same_every_month(page, live_server):
    _fill_common(page, live_server)
    page.check("input[name=kollektivavtal][value=no]")
    page.check("input[name=same_every_month]")
    page.fill("input[name=same_hours]", "160")
    page.click("button:has-text('Kontrollera')")
    assert page.locator("#outcome-title").inner_text() == "Du verkar uppfylla villkoren"
    explanations = page.locator("li.reason").all_inner_texts()
    assert len(explanations) == 7
    assert any("R-1.17" in text and "24 månader med i snitt minst 16 timmar" in text for text in explanations)
    assert any("R-1.12" in text and "Gränsen är högst 64 år" in text for text in explanations)


def test_failing_case_explains_the_collective_agreement(page, live_server):
    _fill_common(page, live_server)
    page.check("input[name=kollektivavtal][value=yes]")
    page.check("input[name=same_every_month]")
    page.fill("input[name=same_hours]", "160")
    page.click("button:has-text('Kontrollera')")
    assert page.locator("#outcome-title").inner_text() == "Du verkar inte uppfylla villkoren"
    failed = page.locator("li.reason-failed").all_inner_texts()
    assert len(failed) == 1
    assert "R-1.13" in failed[0] and "kollektivavtal" in failed[0]
    assert page.locator("#employer-elsewhere").is_visible()


def test_errors_are_summarised_and_focused(page, live_server):
    page.goto(live_server.url + "/kan-jag-fa-stod/")
    page.click("button:has-text('Kontrollera')")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert "Födelsedatum:" in summary.inner_text()
    page.click("[data-error-summary] a[href='#id_birth_date']")
    assert page.evaluate("document.activeElement.id") == "id_birth_date" or page.url.endswith("#id_birth_date")
