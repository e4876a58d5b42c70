"""Journey 3: the officer grants the application in the admin; the real worker assigns an advisor
(the cascade) and the advisor's e-mail arrives in the mail sink."""

from tests.e2e.journeys import E2E, granted_application

pytestmark = E2E


def test_grant_assigns_an_advisor_who_gets_the_email(demo, e2e, browser_page, shots, tmp_path):
    from applications.models import Decision

    applicant, officer, application, assignment = granted_application(browser_page, e2e, tmp_path, shots)
    assert assignment.advisor.user.username == "rasmus.radgivare"
    assert Decision.objects.get(application=application).outcome == "granted"
    assert "granted" in e2e.worker.log() or "assign_advisor" in e2e.worker.log()

    mail = e2e.wait_for_mail("rasmus.radgivare@demo.omstallning.example")
    body = mail.get_body(("plain",)).get_content()
    assert "191212121212" not in body and "19121212-1212" not in body  # no personnummer in mail
    assert str(mail["Subject"])

    # the advisor sees the new client in the workspace
    advisor = browser_page("rasmus.radgivare")
    advisor.goto(f"{e2e.url}/radgivare/klienter/")
    assert application.reference in advisor.locator("main").inner_text()
    shots(advisor, "advisor workspace")

    applicant.goto(f"{e2e.url}/mina-arenden/{application.pk}/")
    shots(applicant, "applicant sees granted")
