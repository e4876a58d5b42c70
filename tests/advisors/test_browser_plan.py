"""Browser journey: the advisor logs in, records the first contact and creates the plan; the
applicant then sees the plan and confirms it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from advisors.models import Assignment, PlanVersion
from tests.conftest import browser_login
from tests.factories import TEST_PASSWORD

from .sweep_helpers import assigned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_advisor_records_contact_and_plan_then_applicant_confirms(page, live_server, advisor):
    case = assigned()
    applicant = case.application.applicant

    browser_login(page, live_server, advisor.user.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/radgivare/klienter/")
    assert page.locator("h1").inner_text() == "Mina klienter"
    page.click(f"a:has-text('{case.application.reference}')")
    page.click("text=Registrera en kontakt eller ett möte")
    when = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.select_option("select[name=kind]", "contact")
    page.fill("input[name=occurred_at]", when)
    page.check("input[name=mode][value=digital]")
    page.fill("textarea[name=notes]", "Första kontakten per video")
    page.click("button:has-text('Spara')")
    page.wait_for_selector("text=Kontakten är registrerad.")
    assert page.locator("#first-contact").inner_text().strip() != "—"

    page.click("text=Gör planen")
    page.select_option("select[name=goal]", "nytt_arbete")
    page.fill("input[name=activities-0-title]", "Skicka fem ansökningar")
    page.fill("input[name=activities-0-due_date]", "2026-12-15")
    page.select_option("select[name=activities-0-who]", "applicant")
    page.click("button:has-text('Spara planen')")
    page.wait_for_selector("text=Planen är sparad som en ny version.")
    assert Assignment.objects.get(pk=case.pk).first_contact_at is not None
    assert PlanVersion.objects.filter(plan__assignment=case).count() == 1

    page.click("button:has-text('Logga ut')")
    browser_login(page, live_server, applicant.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/mina-arenden/plan/{case.application_id}/")
    assert "Skicka fem ansökningar" in page.content()
    assert "Nytt arbete" in page.locator(".plan-goal").inner_text()
    page.click("button:has-text('Jag bekräftar planen')")
    page.wait_for_selector("text=Du har bekräftat planen.")
    assert page.locator(".plan-confirmed").count() == 1
    assert PlanVersion.objects.get(plan__assignment=case).confirmed_at is not None
