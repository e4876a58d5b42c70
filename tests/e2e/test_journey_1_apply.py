"""Journey 1: an applicant runs the pre-check, logs in, applies for rådgivning with two
attachments and submits; the receipt e-mail is sent by the real worker."""

import datetime

import pytest

from tests.e2e.journeys import E2E, apply_for_radgivning, url_or_none

pytestmark = E2E


def test_precheck_before_logging_in(demo, e2e, browser_page, shots):
    url = url_or_none("eligibility:precheck")
    if url is None:
        pytest.skip("the eligibility pre-check page (eligibility:precheck) is not built yet")
    page = browser_page()
    page.goto(e2e.url + url)
    shots(page, "pre-check empty")
    page.check("input[name=service][value=radgivning]")
    page.check("input[name=situation][value=uppsagd_arbetsbrist]")
    page.fill("input[name=birth_date]", "1975-05-17")
    end = datetime.date.today() + datetime.timedelta(days=30)
    page.fill("input[name=employment_end_date]", end.isoformat())
    page.check("input[name=active_in_sweden][value=yes]")
    page.check("input[name=registered_with_skatteverket][value=yes]")
    page.check("input[name=kollektivavtal][value=no]")
    page.check("input[name=finances_registered_organisation][value=no]")
    page.check("input[name=same_every_month]")
    page.fill("input[name=same_hours]", "165")
    page.fill("input[name=same_income]", "32000")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector("#outcome")
    shots(page, "pre-check result")
    assert "border-success" in page.locator("#outcome").get_attribute("class"), page.locator("main").inner_text()
    assert "Du verkar uppfylla" in page.locator("#outcome-title").inner_text()

    # the same answers with a collective agreement: not eligible here, and the page says why
    page.check("input[name=kollektivavtal][value=yes]")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector("#outcome")
    assert "border-danger" in page.locator("#outcome").get_attribute("class")
    shots(page, "pre-check not eligible")


def test_apply_for_radgivning_with_attachments_and_submit(demo, e2e, browser_page, shots, tmp_path):
    from applications.models import Application, Attachment

    page = browser_page("sara.sokande")
    receipt = apply_for_radgivning(page, e2e.url, tmp_path, shots)

    application = Application.objects.filter(applicant__username="sara.sokande").order_by("-pk").first()
    assert application.status == "submitted"
    assert application.service == "radgivning"
    assert application.reference in receipt
    names = sorted(Attachment.objects.filter(application=application).values_list("original_name", flat=True))
    assert names == ["arbetsgivarintyg.pdf", "uppsagning.png"]
    for attachment in Attachment.objects.filter(application=application):
        assert (e2e.media_dir / attachment.file.name).is_file()

    # the receipt is sent by the real worker, not in the request
    mail = e2e.wait_for_mail("sara.sokande@demo.omstallning.example")
    assert application.reference in mail.get_body(("plain",)).get_content() + str(mail["Subject"])

    page.goto(e2e.url + "/mina-arenden/")
    assert application.reference in page.locator("main").inner_text()
    shots(page, "my cases")
