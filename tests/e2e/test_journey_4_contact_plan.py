"""Journey 4: the advisor records the first contact and an action plan in the workspace; the
applicant reads the plan on "Mina ärenden" and confirms it."""

import datetime
import time

from tests.e2e.journeys import E2E, granted_application

pytestmark = E2E


def test_first_contact_plan_and_confirmation(demo, e2e, browser_page, shots, tmp_path):
    from django.utils import timezone

    from advisors.models import Contact, PlanVersion

    applicant, _officer, application, assignment = granted_application(browser_page, e2e, tmp_path, shots)
    advisor = browser_page("rasmus.radgivare")
    advisor.goto(f"{e2e.url}/radgivare/klienter/")
    advisor.click(f"main a:has-text('{application.reference}')")
    advisor.wait_for_url(f"**/radgivare/klienter/{assignment.pk}/")
    shots(advisor, "client")

    # the first contact, digital, at the first whole minute after the grant (the form takes
    # minutes; a contact may be neither before the grant nor in the future)
    granted = timezone.localtime(application.granted_at)
    contact_at = granted.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    while timezone.now() <= contact_at:
        time.sleep(1)
    advisor.goto(f"{e2e.url}/radgivare/klienter/{assignment.pk}/kontakt/")
    advisor.select_option("select[name=kind]", "contact")
    advisor.fill("input[name=occurred_at]", contact_at.strftime("%Y-%m-%dT%H:%M"))
    advisor.check("input[name=mode][value=digital]")
    advisor.fill("input[name=duration_minutes]", "30")
    advisor.fill("textarea[name=notes]", "Första samtalet via video.")
    shots(advisor, "first contact")
    advisor.locator("main form button[type=submit]").click()
    advisor.wait_for_url(f"**/radgivare/klienter/{assignment.pk}/")
    assert Contact.objects.filter(assignment=assignment).count() == 1
    assignment.refresh_from_db()
    assert assignment.first_contact_at is not None

    # the action plan
    advisor.goto(f"{e2e.url}/radgivare/klienter/{assignment.pk}/plan/")
    advisor.select_option("select[name=goal]", "nytt_arbete")
    advisor.fill("textarea[name=goal_description]", "Ett nytt jobb som projektledare i Sundsvall.")
    in_two_weeks = datetime.date.today() + datetime.timedelta(days=14)
    advisor.fill("input[name=activities-0-title]", "Uppdatera CV")
    advisor.fill("input[name=activities-0-due_date]", in_two_weeks.isoformat())
    shots(advisor, "plan")
    advisor.locator("main form button[type=submit]").click()
    advisor.wait_for_load_state()
    version = PlanVersion.objects.get(plan__assignment=assignment)
    assert version.goal == "nytt_arbete"
    assert [a["title"] for a in version.activities] == ["Uppdatera CV"]
    assert version.confirmed_at is None

    # the applicant confirms the plan
    applicant.goto(f"{e2e.url}/mina-arenden/plan/{application.pk}/")
    assert "Uppdatera CV" in applicant.locator("main").inner_text()
    shots(applicant, "plan to confirm")
    applicant.click("button[name=confirm]")
    applicant.wait_for_load_state()
    shots(applicant, "plan confirmed")
    version.refresh_from_db()
    assert version.confirmed_at is not None
