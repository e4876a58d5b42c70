"""Decision letters as PDF (WeasyPrint): the registration decision and the decision on state
compensation, read back with pypdf; served only to the organisation's users (and the applicant
or the employer that filed) and to case officers."""

import datetime
import io

import pypdf
import pytest
from django.urls import reverse

from omstallning.accounts.roles import Role
from registry import services
from registry.models import OrganisationMember, RegistrationCase

from .factories import EMPLOYER_A, EMPLOYER_B, AffiliationFactory, member_of, registered_organisation

pytestmark = pytest.mark.django_db

D = datetime.date
NOT_AFFILIATED = "556016-0680"
FILED = D(2024, 9, 1)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def officer(user_factory):
    return user_factory(role=Role.CASE_OFFICER, first_name="Hanna", last_name="Handläggare")


@pytest.fixture
def org():
    org = registered_organisation("Trygghetsfonden Test", registered_from=D(2022, 12, 31))
    org.administration_company = "Fora"
    org.save()
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_A, valid_from=D(2022, 10, 1))
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_B, valid_from=D(2023, 1, 1))
    return org


@pytest.fixture
def decided(org, officer):
    reporter = member_of(org)
    result = services.compensation_file(
        organisation=org,
        year=2023,
        records=[
            (2, EMPLOYER_A, "20000", "10000000"),  # 15 000
            (3, EMPLOYER_B, "1234,56", "5000000"),  # 1 234, refused by the officer
            (4, NOT_AFFILIATED, "100", "100"),  # not affiliated
        ],
        by=reporter,
        filed_on=FILED,
    )
    application = services.compensation_decide(
        application=result.application,
        decision_number="KK 2024/123",
        exceptions={EMPLOYER_B: "Avgifterna är inte styrkta."},
        by=officer,
    )
    return application, reporter


def test_the_organisation_reads_the_compensation_decision_as_pdf(client, decided):
    application, reporter = decided
    client.force_login(reporter)
    url = reverse("registry:compensation_letter_pdf", args=[application.organisation_id, application.pk])
    assert reverse("registry:compensation_detail", args=[application.organisation_id, application.pk])
    detail = client.get(reverse("registry:compensation_detail", args=[application.organisation_id, application.pk]))
    assert url.encode() in detail.content
    text = flat(pdf_text(client.get(url)))
    assert "Beslut om statlig ersättning till arbetsgivare för 2023" in text
    assert "KK 2024/123" in text
    assert "Trygghetsfonden Test" in text and "Fora" in text
    assert "15000 kronor" in text  # one employer granted, in total 15 000 kronor
    assert NOT_AFFILIATED in text and "inte ansluten" in text
    assert EMPLOYER_B in text and "Avgifterna är inte styrkta." in text
    assert "Hanna Handläggare" in text


def test_the_compensation_pdf_is_only_for_the_organisation_and_officers(client, decided, org, officer, user_factory):
    application, _reporter = decided
    url = reverse("registry:compensation_letter_pdf", args=[org.pk, application.pk])
    assert client.get(url).status_code == 302  # anonymous: log in first
    other_org = registered_organisation("Annan")
    client.force_login(member_of(other_org))
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("registry:compensation_letter_pdf", args=[other_org.pk, application.pk])).status_code == 404
    )
    client.force_login(user_factory())
    assert client.get(url).status_code == 404
    admin_url = reverse("admin:registry_compensation_letter_pdf", args=[application.pk])
    assert client.get(admin_url).status_code in (302, 403)
    client.force_login(officer)
    assert "KK 2024/123" in pdf_text(client.get(admin_url))
    changelist = client.get(reverse("admin:registry_compensationapplication_changelist"))
    assert admin_url.encode() in changelist.content


def test_an_undecided_application_has_no_letter(client, org, officer):
    reporter = member_of(org)
    application = services.compensation_file(
        organisation=org, year=2023, records=[(2, EMPLOYER_A, "1", "1")], by=reporter, filed_on=FILED
    ).application
    client.force_login(reporter)
    assert client.get(reverse("registry:compensation_letter_pdf", args=[org.pk, application.pk])).status_code == 404
    client.force_login(officer)
    assert client.get(reverse("admin:registry_compensation_letter_pdf", args=[application.pk])).status_code == 404


def test_the_employer_reads_its_individual_decision(client, org, officer, user_factory):
    employer_user = user_factory()
    application = services.compensation_file_individual(
        organisation=org,
        year=2023,
        employer_org_number=EMPLOYER_A,
        employer_name="Exempel Åkeri AB",
        fees_paid="20000",
        payroll_base="10000000",
        signatory_name="Vera Direktör",
        signatory_capacity="signatory",
        contact_email="vd@exempel.example",
        declaration=True,
        by=employer_user,
        filed_on=FILED,
    ).application
    services.compensation_decide(
        application=application, decision_number="KK 2024/9", exceptions={}, authority_checked=True, by=officer
    )
    url = reverse("registry:employer_compensation_letter_pdf", args=[application.pk])
    client.force_login(employer_user)
    assert url.encode() in client.get(reverse("registry:employer_compensation_detail", args=[application.pk])).content
    text = flat(pdf_text(client.get(url)))
    assert "Exempel Åkeri AB" in text and "Vera Direktör" in text
    assert f"Kammarkollegiet beviljar Exempel Åkeri AB ({EMPLOYER_A}) ersättning med 15000 kronor" in text
    client.force_login(user_factory())
    assert client.get(url).status_code == 404


@pytest.fixture
def registered_case(officer, user_factory):
    applicant = user_factory(role=Role.ORGANISATION_REPORTER)
    case = services.registration_case_create(by=applicant)
    RegistrationCase.objects.filter(pk=case.pk).update(
        state=RegistrationCase.State.SUBMITTED,
        name="Nya Omställningsfonden",
        org_number="802000-0009",
        contact_name="Karin Ek",
        covered_group="Anställda hos arbetsgivare i besöksnäringen.",
    )
    case.refresh_from_db()
    return services.registration_case_register(
        case=case, registered_from=D(2025, 1, 1), decision_number="KK 2024/555", by=officer
    )


def test_the_registration_decision_as_pdf(client, registered_case, user_factory, officer):
    url = reverse("registry:registration_decision_pdf", args=[registered_case.pk])
    client.force_login(registered_case.applicant)
    page = client.get(reverse("registry:registration_edit", args=[registered_case.pk]))
    assert url.encode() in page.content
    text = flat(pdf_text(client.get(url)))
    assert "Nya Omställningsfonden" in text and "802000-0009" in text and "Karin Ek" in text
    assert "KK 2024/555" in text
    assert "registrerar Nya Omställningsfonden som omställningsorganisation" in text and "2025-01-01" in text
    assert "besöksnäringen" in text
    # another user of the organisation may read it; a stranger may not
    colleague = user_factory()
    OrganisationMember.objects.create(organisation=registered_case.organisation, user=colleague)
    client.force_login(colleague)
    assert "KK 2024/555" in pdf_text(client.get(url))
    client.force_login(user_factory())
    assert client.get(url).status_code == 404
    # the case officer, in the admin
    admin_url = reverse("admin:registry_registrationcase_decision_pdf", args=[registered_case.pk])
    client.force_login(officer)
    assert "KK 2024/555" in pdf_text(client.get(admin_url))
    assert (
        admin_url.encode()
        in client.get(reverse("admin:registry_registrationcase_change", args=[registered_case.pk])).content
    )


def test_a_deregistration_is_in_the_letter(client, registered_case, officer):
    services.registration_case_deregister(
        case=registered_case,
        deregistered_on=D(2026, 7, 1),
        decision_number="KK 2026/77",
        reason="Förutsättning e uppfylls inte längre.",
        by=officer,
    )
    client.force_login(registered_case.applicant)
    text = flat(pdf_text(client.get(reverse("registry:registration_decision_pdf", args=[registered_case.pk]))))
    assert "KK 2026/77" in text and "2026-07-01" in text and "Förutsättning e uppfylls inte längre." in text


def test_a_refusal_as_pdf_and_no_letter_before_the_decision(client, officer, user_factory):
    applicant = user_factory(role=Role.ORGANISATION_REPORTER)
    case = services.registration_case_create(by=applicant)
    RegistrationCase.objects.filter(pk=case.pk).update(
        state=RegistrationCase.State.SUBMITTED, name="Avslagna stiftelsen", org_number="802000-0017"
    )
    url = reverse("registry:registration_decision_pdf", args=[case.pk])
    client.force_login(applicant)
    assert client.get(url).status_code == 404  # not decided yet
    case.refresh_from_db()
    services.registration_case_refuse(
        case=case,
        reasons="Förutsättning d (avgifter i förskott) är inte uppfylld.",
        decision_number="KK 1",
        by=officer,
    )
    text = flat(pdf_text(client.get(url)))
    assert "avslår" in text and "Förutsättning d (avgifter i förskott) är inte uppfylld." in text


def test_the_pdf_loads_nothing_but_our_static_files():
    from weasyprint.urls import FatalURLFetchingError

    from omstallning.core.pdf import URLRefused
    from registry.pdf import html_to_pdf

    ok = html_to_pdf('<link rel="stylesheet" href="/static/registry/letter.css"><p>Hej</p>', fail_on_errors=True)
    assert ok.startswith(b"%PDF-")
    for url in ("https://example.com/x.png", "file:///etc/passwd", "/static/../../etc/passwd"):
        with pytest.raises(FatalURLFetchingError) as exc:
            html_to_pdf(f'<img src="{url}">', fail_on_errors=True)
        assert isinstance(exc.value.__cause__, URLRefused)


def test_a_decided_letter_is_rendered_once_and_then_served_from_the_cache(client, decided, monkeypatch):
    from django.core.cache import cache

    from registry import pdf

    application, reporter = decided
    cache.clear()
    calls = []
    real = pdf.compensation_decision_pdf

    def counting(app):
        calls.append(app.pk)
        return real(app)

    monkeypatch.setattr(pdf, "compensation_decision_pdf", counting)
    client.force_login(reporter)
    url = reverse("registry:compensation_letter_pdf", args=[application.organisation_id, application.pk])
    first, second = client.get(url), client.get(url)
    assert first.content == second.content and first.content.startswith(b"%PDF-")
    assert calls == [application.pk]
    cache.clear()
