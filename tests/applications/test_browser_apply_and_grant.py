"""The whole path in a real browser: an applicant applies for rådgivning, a case officer grants it."""

import pytest

from applications.models import Application, Status
from omstallning.accounts.roles import Role
from tests.conftest import browser_login
from tests.factories import TEST_PASSWORD, UserFactory

from .factories import PDF_BYTES, ApplicantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_applicant_applies_and_officer_grants(page, live_server, tmp_path):
    applicant = ApplicantFactory(username="browser.sokande", first_name="Sara", last_name="Sökande")
    officer = UserFactory(username="browser.handlaggare", role=Role.CASE_OFFICER)
    certificate = tmp_path / "arbetsgivarintyg.pdf"
    certificate.write_bytes(PDF_BYTES)

    browser_login(page, live_server, applicant.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/ansok/")
    page.check("input[name=service][value=radgivning]")
    page.click("button:has-text('Börja')")

    # Step 1: about you; a wrong check digit first: the error summary takes focus
    assert page.locator("[aria-current=step]").inner_text().startswith("1.")
    page.fill("input[name=personnummer]", "19800510-0007")
    page.fill("input[name=phone]", "070-123 45 67")
    page.check("input[name=meeting_preference][value=digital]")
    page.fill("input[name=municipality]", "Uppsala")
    page.click("button[name=next]")
    summary = page.locator("[data-error-summary]")
    assert "Personnummer" in summary.inner_text()
    page.fill("input[name=personnummer]", "19800510-0006")
    page.click("button[name=next]")

    # Step 2: employment
    page.fill("input[name=employer_name]", "Exempel AB")
    page.fill("input[name=employer_org_number]", "556036-0793")
    for name, value in [
        ("active_in_sweden", "yes"),
        ("registered_with_skatteverket", "yes"),
        ("kollektivavtal", "no"),
        ("finances_registered_organisation", "no"),
        ("situation", "uppsagd_arbetsbrist"),
        ("was_ceo", "no"),
        ("employed_by_spouse", "no"),
    ]:
        page.check(f"input[name={name}][value={value}]")
    page.fill("input[name=employment_end_date]", "2027-01-31")
    page.click("button[name=next]")

    # Step 3: the 24-month grid
    inputs = page.locator("table.work-history").first.locator("input[name^=hours_]")
    assert inputs.count() == 24
    for i in range(inputs.count()):
        inputs.nth(i).fill("160")
    page.click("button[name=next]")

    # Step 4: attachments
    page.select_option("select[name=kind]", "arbetsgivarintyg")
    page.set_input_files("input[name=file]", str(certificate))
    page.click("button[name=upload]")
    page.wait_for_selector("a:has-text('arbetsgivarintyg.pdf')")
    page.click("button[name=continue]")

    # Step 5: review and submit
    page.wait_for_selector("text=Exempel AB")
    page.check("input[name=confirm]")
    page.click("button:has-text('Skicka ansökan')")
    reference = page.locator(".reference").inner_text()
    assert reference.startswith("OOO-")
    application = Application.objects.get(reference=reference)
    assert application.eligible is True

    # The case officer grants it in the admin
    page.click("button:has-text('Logga ut')")
    browser_login(page, live_server, officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/applications/application/")
    page.click(f"a:has-text('{reference}')")
    page.wait_for_selector("td:has-text('R-1.17')")
    page.click("a.transition-grant")
    page.select_option("select[name=service]", "radgivning")
    page.click("input[name=confirm]")
    page.wait_for_selector(".messagelist")
    application.refresh_from_db()
    assert application.status == Status.GRANTED

    # The applicant sees the decision in Mina ärenden
    page.context.clear_cookies()
    browser_login(page, live_server, applicant.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/mina-arenden/")
    page.click(f"a:has-text('{reference}')")
    assert "beviljar" in page.locator(".decision-letter").inner_text()
