"""WCAG 2.1 AA (DOS-lagen) with axe-core on every public and applicant page and the advisor's
workspace, in Swedish and in English; and a keyboard-only walk through the application form.

axe-core comes from npm (package.json, node_modules/axe-core) and is injected into the page; the
browser context bypasses the CSP only for that injection."""

import pytest

from tests.e2e.conftest import axe_violations, describe
from tests.e2e.journeys import E2E, granted_application, url_or_none

pytestmark = E2E
LOCALES = {"sv": "sv-SE", "en": "en-GB"}


class Audit:
    """Collects axe violations page by page; the test asserts on all of them at the end."""

    def __init__(self, lang):
        self.lang = lang
        self.found = {}
        self.pages = []

    def __call__(self, page):
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == self.lang, f"{page.url}: wrong language"
        path = page.url.split("://", 1)[1].split("/", 1)[1]
        if path in self.pages:
            return
        self.pages.append(path)
        violations = axe_violations(page)
        if violations:
            self.found[path] = describe(violations)

    def visit(self, page, url):
        response = page.goto(url)
        assert response.status < 400, f"{url}: HTTP {response.status}"
        self(page)

    def report(self):
        return "\n".join(f"/{path}:\n{text}" for path, text in self.found.items())


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_public_pages_have_no_axe_violations(demo, e2e, browser_page, lang):
    from registry.models import Organisation

    audit = Audit(lang)
    page = browser_page(locale=LOCALES[lang])
    organisation = Organisation.objects.order_by("pk").first()
    urls = ["/", "/tillganglighet/", "/konto/logga-in/"]
    for name in ["eligibility:precheck", "registry:lookup", "registry:register", "yttrande:verify_form"]:
        if url_or_none(name):
            urls.append(url_or_none(name))
    if organisation and url_or_none("registry:organisation", organisation.pk):
        urls.append(url_or_none("registry:organisation", organisation.pk))
    for url in urls:
        audit.visit(page, e2e.url + url)
    # pages in their error states: the log-in refused, the pre-check with errors and with a result
    page.goto(e2e.url + "/konto/logga-in/")
    page.fill("input[name=username]", "finns.inte")
    page.fill("input[name=password]", "fel-losenord-123")
    page.locator("main form button[type=submit]").first.click()
    audit.pages.remove("konto/logga-in/")
    audit(page)
    if url_or_none("eligibility:precheck"):
        page.goto(e2e.url + url_or_none("eligibility:precheck"))
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_selector("[data-error-summary]")
        audit.pages.remove(url_or_none("eligibility:precheck").lstrip("/"))
        audit(page)
    # the error page
    page.goto(e2e.url + "/finns-inte/")
    audit(page)
    assert len(audit.pages) >= 5
    assert not audit.found, audit.report()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_applicant_and_advisor_pages_have_no_axe_violations(demo, e2e, browser_page, shots, tmp_path, lang):
    audit = Audit(lang)
    applicant, _officer, application, assignment = granted_application(
        browser_page, e2e, tmp_path, shots, locale=LOCALES[lang], check=audit
    )
    for url in ["/mina-sidor/", "/ansok/", "/mina-arenden/", f"/mina-arenden/{application.pk}/"]:
        audit.visit(applicant, e2e.url + url)
    for name, args in [("yttrande:my_yttranden", ()), ("advisors:applicant_plan", (application.pk,))]:
        if url_or_none(name, *args):
            applicant.goto(e2e.url + url_or_none(name, *args))
            audit(applicant)
    # a step with errors (the error summary) in a new draft
    applicant.goto(e2e.url + "/ansok/")
    applicant.check("input[name=service][value=vagledning]")
    applicant.locator("main form button[type=submit]:not([name])").last.click()
    applicant.wait_for_url("**/om-dig/")
    applicant.fill("input[name=first_name]", "")
    applicant.click("button[name=next]")
    applicant.wait_for_selector("[data-error-summary]")
    audit.pages.append("(error summary)")
    violations = axe_violations(applicant)
    if violations:
        audit.found["om-dig with errors"] = describe(violations)

    advisor = browser_page("rasmus.radgivare", locale=LOCALES[lang])
    for url in [
        "/radgivare/klienter/",
        f"/radgivare/klienter/{assignment.pk}/",
        f"/radgivare/klienter/{assignment.pk}/kontakt/",
        f"/radgivare/klienter/{assignment.pk}/kartlaggning/",
        f"/radgivare/klienter/{assignment.pk}/plan/",
    ]:
        audit.visit(advisor, e2e.url + url)
    if url_or_none("yttrande:advisor_cases"):
        audit.visit(advisor, e2e.url + url_or_none("yttrande:advisor_cases"))
    assert len(audit.pages) >= 15
    assert not audit.found, audit.report()
