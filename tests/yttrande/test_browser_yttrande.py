"""In a real browser (Debian chromium through Playwright): the advisor records the assessment,
a case officer approves it in the admin, and the applicant downloads the PDF."""

import datetime
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from applications.yttrande.models import CaseStatus
from omstallning.accounts.roles import Role
from tests.conftest import browser_login
from tests.factories import TEST_PASSWORD, UserFactory

from .factories import YttrandeCaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_advisor_records_officer_approves_applicant_downloads(page, live_server):
    applicant = UserFactory(role=Role.APPLICANT, first_name="Åsa", last_name="Öberg")
    officer = UserFactory(role=Role.CASE_OFFICER, first_name="Hanna", last_name="Handläggare")
    case = YttrandeCaseFactory(applicant=applicant, person_name="Åsa Öberg")
    advisor_user = case.advisor.user

    # The advisor records the assessment after the conversation.
    browser_login(page, live_server, advisor_user.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/radgivare/yttranden/")
    page.click(f"a:has-text('{case.reference}')")
    assert case.reference in page.locator("h1").inner_text()
    page.fill("input[name=conversation_on]", (datetime.date.today() - datetime.timedelta(days=1)).isoformat())
    page.fill("input[name=occupation]", "Butikssäljare")
    page.fill("input[name=target_occupation]", "Undersköterska")
    page.fill("input[name=region]", "Västra Götaland")
    page.check("input[name=shortage_occupation]")
    page.fill("textarea[name=labour_market_needs]", "Stor efterfrågan på undersköterskor i regionen.")
    page.check("input[name=strengthens][value=true]")
    page.fill(
        "textarea[name=reasons]", "Utbildningen leder till ett bristyrke; erfarenheten av kundmöten är värdefull."
    )
    page.click("button:has-text('Registrera bedömningen')")
    assert "Bedömningen är registrerad" in page.locator(".messages").inner_text()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT_RECORDED

    # The case officer approves it with the admin action.
    page.click("button:has-text('Logga ut')")
    browser_login(page, live_server, officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/yttrande/yttrandecase/")
    page.check(f"input[name=_selected_action][value='{case.pk}']")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    page.wait_for_selector("text=1 yttranden godkändes")  # the admin redirects after the action
    assert "1 yttranden godkändes" in page.locator("body").inner_text()
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    document = case.documents.get()
    assert document.is_rendered

    # The applicant downloads it from their pages.
    page.goto(f"{live_server.url}/mina-sidor/")
    page.click("button:has-text('Logga ut')")
    browser_login(page, live_server, applicant.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/mina-arenden/yttranden/")
    with page.expect_download() as info:
        page.click("a:has-text('Ladda ner yttrandet, version 1')")
    download = info.value
    data = Path(download.path()).read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert case.reference in text
    assert "Åsa Öberg" in text
    assert "Utbildningen stärker personens framtida ställning" in text
    assert "Hanna Handläggare" in text
