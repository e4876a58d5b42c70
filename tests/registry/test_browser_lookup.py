"""Browser: an employee of an affiliated employer looks up their organisation and is sent there."""

import datetime

import pytest

from .factories import EMPLOYER_A, AffiliationFactory, registered_organisation


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_employee_finds_their_organisation_and_goes_there(page, live_server):
    org = registered_organisation("Trygghetsrådet Exempel", registered_from=datetime.date(2022, 12, 31))
    org.website = "https://trygghetsradet.example/"
    org.covered_group = "Tjänstemän i privat sektor"
    org.save()
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_A, valid_from=datetime.date(2023, 1, 1))

    page.goto(f"{live_server.url}/hitta-omstallningsorganisation/")
    page.fill("input[name=orgnr]", EMPLOYER_A.replace("-", ""))
    page.fill("input[name=date]", "2025-05-01")
    page.click("form[data-testid=lookup-form] button[type=submit]")
    result = page.locator("[data-testid=lookup-result]")
    assert "Trygghetsrådet Exempel" in result.inner_text()
    page.click("[data-testid=go-to-organisation]")
    page.wait_for_url(f"{live_server.url}/omstallningsorganisationer/{org.pk}/")
    assert page.locator("h1").inner_text() == "Trygghetsrådet Exempel"
    assert page.locator("a[href='https://trygghetsradet.example/']").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_unaffiliated_employer_is_told_to_apply_here(page, live_server):
    page.goto(f"{live_server.url}/hitta-omstallningsorganisation/")
    page.fill("input[name=orgnr]", EMPLOYER_A)
    page.click("form[data-testid=lookup-form] button[type=submit]")
    assert page.locator("[data-testid=go-to-organisation]").count() == 0
    assert page.locator("[data-testid=lookup-result] a").count() == 1
