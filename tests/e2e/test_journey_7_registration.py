"""Journey 7: a new transition organisation applies for registration in the portal; a case
officer registers it in the admin; the organisation appears in the public register and its
representative can work as a member."""

import datetime

from tests.e2e.journeys import E2E

pytestmark = E2E
NAME = "Nya Omställningsfonden"
ORGNR = "802479-6214"


def test_organisation_applies_and_officer_registers(demo, e2e, browser_page, shots):
    from omstallning.accounts.roles import Role
    from registry.models import Organisation, RegistrationCase, RegistrationPeriod
    from tests.factories import TEST_PASSWORD, UserFactory

    UserFactory(username="kim.kontakt", role=Role.ORGANISATION_REPORTER, email="kim@nya.example")
    applicant = browser_page("kim.kontakt", password=TEST_PASSWORD)
    applicant.goto(f"{e2e.url}/registrera-omstallningsorganisation/")
    applicant.locator("main form button[type=submit]").first.click()
    applicant.wait_for_url("**/registrera-omstallningsorganisation/*/")
    answers = {
        "name": NAME,
        "org_number": ORGNR,
        "contact_name": "Kim Kontakt",
        "contact_email": "kim@nya.example",
        "principal": "Arbetsgivarföreningen Nya och Fackförbundet Nya",
        "board_members": "Ordförande A, ledamot B, ledamot C",
        "ceo": "Vera VD",
        "covered_group": "Anställda hos arbetsgivare i branschen utan annat omställningsavtal",
        "prerequisite_a": "Gruppen är avgränsad genom kollektivavtalets tillämpningsområde.",
        "prerequisite_b": "Hela paketet av stöd enligt lagen erbjuds.",
        "prerequisite_c": "Rådgivarna har lång erfarenhet av omställning.",
        "prerequisite_d": "Avgiften är 0,3 procent av lönesumman.",
        "prerequisite_e": "Kapitalet räcker för åtagandena.",
        "correspondence": "Stödet motsvarar grundläggande omställningsstöd.",
    }
    for name, value in answers.items():
        applicant.fill(f"[name={name}]", value)
    shots(applicant, "application for registration")
    applicant.click("button[name=submit]")
    applicant.wait_for_load_state()
    case = RegistrationCase.objects.get(applicant__username="kim.kontakt")
    assert case.state == "submitted", applicant.locator("main").inner_text()[:1000]
    shots(applicant, "sent")

    officer = browser_page("hanna.handlaggare")
    officer.goto(f"{e2e.url}/admin/registry/registrationcase/{case.pk}/change/")
    officer.click("a[href$='/handling/register/']")
    officer.fill("[name=registered_from]", datetime.date.today().isoformat())
    officer.fill("[name=decision_number]", "KK 2026-1234")
    shots(officer, "officer registers")
    officer.locator("#content-main form input[type=submit]").click()
    officer.wait_for_url(f"**/registrationcase/{case.pk}/change/")
    assert officer.locator(".messagelist .success").count() == 1, officer.locator("#content").inner_text()[:800]

    case.refresh_from_db()
    assert case.state == "registered"
    organisation = Organisation.objects.get(name=NAME)
    period = RegistrationPeriod.objects.get(organisation=organisation)
    assert period.decision_number == "KK 2026-1234" and period.deregistered_on is None

    public = browser_page()
    public.goto(f"{e2e.url}/omstallningsorganisationer/")
    assert NAME in public.locator("main").inner_text()
    shots(public, "public register")
    applicant.goto(f"{e2e.url}/omstallningsorganisation/")
    assert NAME in applicant.locator("main").inner_text()
    shots(applicant, "member home")
