"""Journey 2: a case officer asks for completion in the admin; the applicant answers with a text
and a document; the case is back with the officer with the answer attached."""

from tests.e2e.journeys import E2E, officer_transition, submitted_application, write_files

pytestmark = E2E


def test_officer_requests_completion_and_applicant_completes(demo, e2e, browser_page, shots, tmp_path):
    from applications.models import Attachment, Message

    applicant, application = submitted_application(browser_page, e2e, tmp_path, shots)
    officer = browser_page("hanna.handlaggare")
    officer.goto(f"{e2e.url}/admin/applications/application/")
    assert application.reference in officer.locator("#result_list").inner_text()
    shots(officer, "officer queue")
    officer_transition(
        officer, e2e.url, application, "request_completion", "Skicka arbetsgivarintyget för 2025.", shots
    )
    application.refresh_from_db()
    assert application.status == "needs_completion"
    assert application.paused_at is not None

    # the applicant is told by e-mail (through the worker) and answers on "Mina ärenden"
    e2e.wait_for_mail("sara.sokande@demo.omstallning.example")
    applicant.goto(f"{e2e.url}/mina-arenden/{application.pk}/")
    assert "Skicka arbetsgivarintyget för 2025." in applicant.locator("main").inner_text()
    shots(applicant, "completion requested")
    applicant.fill("textarea[name=body]", "Här är intyget.")
    applicant.set_input_files("input[name=files]", str(write_files(tmp_path)["arbetsgivarintyg.pdf"]))
    applicant.locator("main form button[type=submit]").first.click()
    applicant.wait_for_load_state()
    shots(applicant, "completion sent")
    assert applicant.locator(".alert-success, [role=status]").count() >= 1, applicant.locator("main").inner_text()

    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.paused_at is None
    reply = Message.objects.get(application=application, direction="to_officer")
    assert reply.body == "Här är intyget."
    assert Attachment.objects.filter(application=application, kind="komplettering").count() == 1

    officer.goto(f"{e2e.url}/admin/applications/application/{application.pk}/change/")
    assert "Här är intyget." in officer.locator("#content").inner_text()
    shots(officer, "officer sees the answer")
