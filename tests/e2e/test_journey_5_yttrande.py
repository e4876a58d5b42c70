"""Journey 5: CSN refers a person for an yttrande through the API; the responsibility check puts
the case in conversation and the real worker assigns the advisor; the advisor records the
assessment; a case officer approves it in the admin; the worker renders the PDF; the applicant
downloads it and verifies its code on the public verification page (same SHA-256)."""

import datetime
import hashlib
import io
import json

import pypdf

from tests.e2e.journeys import E2E, advisor_for_rasmus, wait_until

pytestmark = E2E
PERSONNUMMER = "19850614-2382"


def test_yttrande_requested_assessed_approved_downloaded_and_verified(demo, e2e, browser_page, shots):
    from django.contrib.auth import get_user_model

    from applications.yttrande import services
    from applications.yttrande.models import YttrandeCase, YttrandeDocument
    from omstallning.accounts.roles import Role
    from tests.e2e.journeys import EMPLOYER_ORGNR
    from tests.factories import TEST_PASSWORD, UserFactory

    advisor_for_rasmus()
    # the person: of working age (the demo applicant's test personnummer is from 1912)
    UserFactory(username="ylva.yttrande", role=Role.APPLICANT, personnummer=PERSONNUMMER.replace("-", ""))
    officer_user = get_user_model().objects.get(username="hanna.handlaggare")
    _client, token = services.api_client_create(name="CSN (e2e)", by=officer_user)

    # CSN's referral, over HTTP with the machine token
    start = datetime.date.today() + datetime.timedelta(days=60)
    referral = {
        "personnummer": PERSONNUMMER,
        "name": "Ylva Yttrande",
        "csn_reference": "CSN-E2E-0001",
        "education": {
            "name": "Projektledning",
            "provider": "Mittuniversitetet",
            "start_date": start.isoformat(),
            "length_weeks": 20,
            "pace": 100,
        },
        "situation": "anstalld",
        "employer_org_number": EMPLOYER_ORGNR,
        "kollektivavtal": False,
    }
    csn = browser_page()  # CSN's system: no browser log-in, only the token
    response = csn.request.post(
        f"{e2e.url}/api/yttrande/v1/remisser/",
        data=json.dumps(referral),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status in (200, 201), response.text()
    answer = response.json()
    reference = answer["reference"]
    case = YttrandeCase.objects.get(reference=reference)
    assert case.status == "conversation", case.check_reasons
    case = wait_until(
        lambda: YttrandeCase.objects.filter(pk=case.pk, advisor__isnull=False).select_related("advisor__user").first(),
        message="the worker's yttrande advisor assignment",
    )
    assert case.advisor.user.username == "rasmus.radgivare"

    # the advisor's assessment
    advisor = browser_page("rasmus.radgivare")
    advisor.goto(f"{e2e.url}/radgivare/yttranden/")
    advisor.click(f"main a:has-text('{reference}')")
    advisor.fill("[name=conversation_on]", datetime.date.today().isoformat())
    advisor.fill("[name=occupation]", "Administratör")
    advisor.fill("[name=target_occupation]", "Projektledare")
    advisor.fill("[name=region]", "Västernorrland")
    advisor.fill("[name=labour_market_needs]", "Stor efterfrågan på projektledare i regionen.")
    advisor.check("[name=strengthens][value=true]")
    advisor.fill("[name=reasons]", "Utbildningen leder till ett bristyrke i regionen.")
    shots(advisor, "assessment")
    advisor.locator("main form button[type=submit]").click()
    advisor.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == "assessment_recorded", advisor.locator("main").inner_text()[:800]

    # the case officer approves in the admin (an admin action on the case)
    officer = browser_page("hanna.handlaggare")
    officer.goto(f"{e2e.url}/admin/yttrande/yttrandecase/")
    officer.check(f"input[name=_selected_action][value='{case.pk}']")
    officer.select_option("select[name=action]", "approve")
    shots(officer, "officer approves")
    officer.click("button[name=index]")
    officer.wait_for_load_state()
    assert officer.locator(".messagelist .success").count() == 1, officer.locator("#content").inner_text()[:800]
    document = wait_until(
        lambda: YttrandeDocument.objects.filter(case=case).exclude(sha256="").first(),
        timeout=90,
        message="the worker's PDF rendering",
    )

    # the applicant downloads the PDF and verifies its code
    applicant = browser_page("ylva.yttrande", password=TEST_PASSWORD)
    applicant.goto(f"{e2e.url}/mina-arenden/yttranden/")
    shots(applicant, "my yttranden")
    link = applicant.locator(f"main a[href$='/{reference}/v{document.version}.pdf']")
    response = applicant.request.get(e2e.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"].startswith("application/pdf")
    pdf = response.body()
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    code = document.verification_code
    assert code in text.replace(" ", "") or services.format_verification_code(code) in text

    public = browser_page()
    public.goto(f"{e2e.url}/verifiera/")
    public.fill("input[name=code]", services.format_verification_code(code))
    public.locator("main form button[type=submit]").click()
    public.wait_for_load_state()
    shots(public, "verified")
    assert hashlib.sha256(pdf).hexdigest() in public.locator("main").inner_text()
