"""Steps shared by the journeys: each is what a user does in the browser, nothing behind its back."""

import datetime
import time
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

# The marks of every e2e test: a real browser, a real worker, committed data that gunicorn sees,
# and the migrations' rows (roles, parameters) restored after the previous test's flush.
E2E = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A minimal valid PDF and PNG: the portal checks the first bytes (magic numbers), not just the name.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
# An employer without a collective agreement and outside the register's affiliations (the demo
# data affiliates 556036-0793, 556677-8899 and 556012-5790).
EMPLOYER_ORGNR = "559123-4561"


def wait_until(predicate, timeout=30, interval=0.3, message="condition"):
    """Polls `predicate()` (e.g. a database read) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{message} not reached within {timeout}s")


def url_or_none(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def write_files(tmp_path: Path) -> dict[str, Path]:
    files = {"arbetsgivarintyg.pdf": PDF_BYTES, "uppsagning.png": PNG_BYTES}
    paths = {}
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        paths[name] = path
    return paths


def apply_for_radgivning(page, base_url, tmp_path, shots, check=None):
    """Fills in every step of an application for rådgivning, uploads two attachments and submits.
    Returns the text of the receipt. `check(page)` (e.g. the axe run) is called on every page."""
    check = check or (lambda page: None)
    original_shots = shots

    def shots(page, step):  # noqa: F811 - each screenshot step is also a check point
        check(page)
        return original_shots(page, step)

    page.goto(f"{base_url}{reverse('applications:choose_service')}")
    page.check("input[name=service][value=radgivning]")
    shots(page, "choose service")
    page.locator("main form button[type=submit]:not([name])").last.click()

    # About you
    page.wait_for_url("**/om-dig/")
    if page.locator("input[name=personnummer]").is_editable():
        page.fill("input[name=personnummer]", "19121212-1212")
    page.fill("input[name=first_name]", "Sara")
    page.fill("input[name=last_name]", "Sökande")
    page.fill("input[name=email]", "sara.sokande@demo.omstallning.example")
    page.fill("input[name=phone]", "070-123 45 67")
    page.select_option("select[name=preferred_language]", "sv")
    page.check("input[name=meeting_preference][value=digital]")
    page.fill("input[name=municipality]", "Sundsvall")
    shots(page, "about you")
    page.click("button[name=next]")

    # Employment: dismissed for redundancy by an employer without kollektivavtal
    page.wait_for_url("**/anstallning/")
    page.fill("input[name=employer_name]", "Exempelbolaget AB")
    page.fill("input[name=employer_org_number]", EMPLOYER_ORGNR)
    page.check("input[name=active_in_sweden][value=yes]")
    page.check("input[name=registered_with_skatteverket][value=yes]")
    page.check("input[name=kollektivavtal][value=no]")
    page.check("input[name=finances_registered_organisation][value=no]")
    page.check("input[name=situation][value=uppsagd_arbetsbrist]")
    end = datetime.date.today() + datetime.timedelta(days=30)
    page.fill("input[name=employment_end_date]", end.isoformat())
    page.check("input[name=was_ceo][value=no]")
    page.check("input[name=employed_by_spouse][value=no]")
    shots(page, "employment")
    page.click("button[name=next]")

    # Work history: full time for 24 months
    page.wait_for_url("**/arbetshistorik/")
    hours = page.locator("input[name^=hours_]:visible")  # the 24 months (older ones are folded away)
    for i in range(hours.count()):
        hours.nth(i).fill("165")
    incomes = page.locator("input[name^=income_]:visible")
    for i in range(incomes.count()):
        incomes.nth(i).fill("32000")
    shots(page, "work history")
    page.click("button[name=next]")

    # Attachments: two documents
    page.wait_for_url("**/bilagor/")
    for path, kind in zip(write_files(tmp_path).values(), ["arbetsgivarintyg", "uppsagning"], strict=True):
        page.select_option("select[name=kind]", kind)
        page.set_input_files("input[name=file]", str(path))
        page.click("button[name=upload]")
        page.wait_for_load_state()
        assert page.locator(f"main a:has-text('{path.name}')").count() == 1, page.locator("main").inner_text()
    shots(page, "attachments uploaded")
    page.click("button[name=continue]")

    # Check and submit
    page.wait_for_url("**/granska/")
    assert "arbetsgivarintyg.pdf" in page.locator("main").inner_text()
    page.check("input[name=confirm]")
    shots(page, "review")
    page.locator("form.submit-once button[type=submit]").click()
    page.wait_for_url("**/kvitto/")
    shots(page, "receipt")
    return page.locator("main").inner_text()


def officer_transition(page, base_url, application, name, reason, shots=None, **fields):
    """A case officer opens the case in the admin, follows the transition link and confirms it."""
    response = page.goto(f"{base_url}/admin/applications/application/{application.pk}/change/")
    link = page.locator(f"a.transition-{name}")
    if response.status != 200 or link.count() == 0:
        raise AssertionError(
            f"no '{name}' on the case page (HTTP {response.status}):\n{page.locator('body').inner_text()[:1500]}"
        )
    link.click()
    page.wait_for_url(f"**/transition/{name}/")
    page.fill("textarea[name=reason]", reason)
    for field, value in fields.items():
        locator = page.locator(f"[name={field}]")
        if locator.evaluate("e => e.tagName") == "SELECT":
            locator.select_option(value)
        else:
            locator.fill(value)
    if shots:
        shots(page, f"officer {name}")
    page.click("input[type=submit][name=confirm]")
    page.wait_for_url(f"**/applications/application/{application.pk}/change/")
    assert page.locator(".messagelist .success").count() == 1, page.locator("#content").inner_text()[:800]


def submitted_application(browser_page, e2e, tmp_path, shots, locale="sv-SE", check=None):
    """Journey 1 again, in the browser: Sara's submitted application (returned from the database)."""
    from applications.models import Application

    page = browser_page("sara.sokande", locale=locale)
    receipt = apply_for_radgivning(page, e2e.url, tmp_path, shots, check=check)
    application = Application.objects.filter(applicant__username="sara.sokande").order_by("-pk").first()
    assert application.reference in receipt
    return page, application


def advisor_for_rasmus():
    """A supplier with the demo advisor rasmus.radgivare (the advisors app has no demo data yet)."""
    from django.contrib.auth import get_user_model

    from advisors.models import Advisor, Supplier

    existing = Advisor.objects.filter(user__username="rasmus.radgivare").first()
    if existing is not None:
        return existing
    last_rank = Supplier.objects.order_by("-rank").values_list("rank", flat=True).first() or 0
    supplier, _created = Supplier.objects.get_or_create(
        name="E2E Rådgivning AB",
        defaults={
            "rank": last_rank + 1,
            "capacity": 50,
            "services": ["radgivning", "forstarkt_stod", "vagledning", "yttrande"],
            "languages": ["sv", "en"],
            "national_digital": True,
        },
    )
    user = get_user_model().objects.get(username="rasmus.radgivare")
    advisor, _created = Advisor.objects.get_or_create(
        user=user, defaults={"supplier": supplier, "forstarkt_stod": True, "languages": ["sv", "en"]}
    )
    return advisor


def granted_application(browser_page, e2e, tmp_path, shots, locale="sv-SE", check=None):
    """Journeys 1 and 3: submitted in the browser, granted by the officer in the admin; returns
    (applicant page, officer page, application) once the worker has assigned the advisor."""
    from advisors.models import Assignment

    advisor_for_rasmus()
    applicant, application = submitted_application(browser_page, e2e, tmp_path, shots, locale=locale, check=check)
    officer = browser_page("hanna.handlaggare")
    officer_transition(officer, e2e.url, application, "grant", "Villkoren är uppfyllda.", shots, service="radgivning")
    application.refresh_from_db()
    assert application.status == "granted"
    assignment = wait_until(
        lambda: Assignment.objects.filter(application=application).select_related("advisor__user").first(),
        message="the worker's advisor assignment",
    )
    return applicant, officer, application, assignment
