"""From the online application through completion to registration and deregistration, with the
register's history answered by date; every transition audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from omstallning.accounts.roles import Role
from registry import services, workflow
from registry.models import RegistrationCase, RegistrationEvent
from registry.selectors import organisation_registered_on, registered_organisations

D = datetime.date
S = RegistrationCase.State

COMPLETE = {
    "name": "Nya Trygghetsrådet",
    "org_number": "8020000009",
    "website": "https://example.org/",
    "contact_name": "Kim Kontakt",
    "contact_phone": "08-123 45",
    "contact_email": "kim@example.org",
    "contact_address": "Gatan 1, Stockholm",
    "principal": "Arbetsgivarförbundet X och Förbundet Y",
    "board_members": "Anna A\nBo B",
    "ceo": "Cecilia C",
    "administration_company": "",
    "covered_group": "Anställda hos arbetsgivare bundna av avtal Z",
    "prerequisite_a": "Avgränsning genom medlemskap",
    "prerequisite_b": "Helhetsåtagande",
    "prerequisite_c": "Egen personal",
    "prerequisite_d": "Premie 0,3 % av lönesumman",
    "prerequisite_e": "Fonderat kapital",
    "correspondence": "Rådgivning, vägledning och förstärkt stöd",
}


@pytest.fixture
def applicant(user_factory):
    return user_factory()


@pytest.fixture
def officer(user_factory):
    return user_factory(role=Role.CASE_OFFICER)


def test_the_whole_journey_with_history_by_date(applicant, officer):
    case = services.registration_case_create(by=applicant)
    services.registration_case_update(case=case, data={"name": "Nya Trygghetsrådet"}, by=applicant)
    with pytest.raises(ValidationError) as missing:
        services.registration_case_submit(case=case, by=applicant)
    assert "prerequisite_e" in missing.value.error_dict
    services.registration_case_update(case=case, data=COMPLETE, by=applicant)
    case.refresh_from_db()
    assert case.org_number == "802000-0009"
    case = services.registration_case_submit(case=case, by=applicant)
    assert case.state == S.SUBMITTED
    case = services.registration_case_request_completion(case=case, what="Bifoga stadgarna.", by=officer)
    assert case.state == S.NEEDS_COMPLETION
    services.registration_case_update(case=case, data={"prerequisite_a": "Ny text"}, by=applicant)
    case = services.registration_case_submit(case=case, by=applicant)
    case = services.registration_case_register(
        case=case, registered_from=D(2025, 3, 1), decision_number="KK 2025-123", by=officer
    )
    assert case.state == S.REGISTERED
    org = case.organisation
    assert org.name == "Nya Trygghetsrådet" and org.members.filter(user=applicant, is_admin=True).exists()
    case = services.registration_case_deregister(
        case=case, deregistered_on=D(2026, 1, 1), decision_number="KK 2025-999", reason="Egen begäran", by=officer
    )
    assert case.state == S.DEREGISTERED
    assert not organisation_registered_on(org, D(2025, 2, 28))
    assert organisation_registered_on(org, D(2025, 3, 1))
    assert organisation_registered_on(org, D(2025, 12, 31))
    assert not organisation_registered_on(org, D(2026, 1, 1))
    assert org in registered_organisations(D(2025, 6, 1)) and org not in registered_organisations(D(2026, 6, 1))
    steps = list(RegistrationEvent.objects.filter(case=case).values_list("from_state", "to_state", "by"))
    assert steps == [
        (S.DRAFT, S.SUBMITTED, applicant.pk),
        (S.SUBMITTED, S.NEEDS_COMPLETION, officer.pk),
        (S.NEEDS_COMPLETION, S.SUBMITTED, applicant.pk),
        (S.SUBMITTED, S.REGISTERED, officer.pk),
        (S.REGISTERED, S.DEREGISTERED, officer.pk),
    ]
    assert case.history.count() >= 5  # django-simple-history keeps every saved version


def test_refusal_and_transitions_that_are_not_allowed(applicant, officer):
    case = services.registration_case_create(by=applicant)
    services.registration_case_update(case=case, data=COMPLETE, by=applicant)
    with pytest.raises(ValidationError):
        services.registration_case_register(case=case, registered_from=D(2025, 1, 1), decision_number="X", by=officer)
    services.registration_case_submit(case=case, by=applicant)
    with pytest.raises(PermissionDenied):
        services.registration_case_register(
            case=case, registered_from=D(2025, 1, 1), decision_number="X", by=applicant
        )
    case = services.registration_case_refuse(case=case, reasons="Förutsättning d saknas.", by=officer)
    assert case.state == S.REFUSED and case.organisation is None
    with pytest.raises(ValidationError):
        services.registration_case_update(case=case, data={"name": "Ändrat"}, by=applicant)
    assert workflow.allowed_actions(S.REFUSED, workflow.OFFICER) == []


def test_draft_is_saved_between_visits_and_submitted_online(
    client, applicant, officer, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    response = client.post(reverse("registry:registration_list"))
    case = RegistrationCase.objects.get(applicant=applicant)
    assert response.url == reverse("registry:registration_edit", args=[case.pk])
    url = response.url
    client.post(url, {"name": "Utkastet", "org_number": "", "save": "1"})
    page = client.get(url)
    assert b"Utkastet" in page.content
    response = client.post(url, {**COMPLETE, "org_number": "802000-0008", "save": "1"})
    assert response.status_code == 200 and response.context["form"].errors["org_number"]
    with django_capture_on_commit_callbacks(execute=True):  # the check task runs after the commit
        attach = client.post(
            reverse("registry:registration_attachment", args=[case.pk]),
            {"topic": "d", "file": SimpleUploadedFile("avgifter.pdf", b"%PDF-1.4 test")},
        )
    assert attach.status_code == 302 and case.attachments.get().status == "clean"
    response = client.post(url, {**COMPLETE, "submit": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == S.SUBMITTED and case.attachments.get().topic == "d"
    # the case officer reads the attachment in the admin; the applicant cannot use that door
    attachment_url = reverse("admin:registry_registrationcase_attachment", args=[case.pk, case.attachments.get().pk])
    assert client.get(attachment_url).status_code in (302, 403)
    client.force_login(officer)
    download = client.get(attachment_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_other_peoples_applications_are_404(client, applicant, user_factory):
    case = services.registration_case_create(by=applicant)
    client.force_login(user_factory())
    assert client.get(reverse("registry:registration_edit", args=[case.pk])).status_code == 404


def test_officer_registers_in_the_admin(client, applicant, officer):
    case = services.registration_case_create(by=applicant)
    services.registration_case_update(case=case, data=COMPLETE, by=applicant)
    services.registration_case_submit(case=case, by=applicant)
    client.force_login(officer)
    change = client.get(reverse("admin:registry_registrationcase_change", args=[case.pk]))
    register_url = reverse("admin:registry_registrationcase_action", args=[case.pk, "register"])
    assert register_url.encode() in change.content
    response = client.post(register_url, {"registered_from": "2025-05-01", "decision_number": "KK-1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == S.REGISTERED
    assert case.registration_period.registered_from == D(2025, 5, 1)
    again = client.post(register_url, {"registered_from": "2025-05-01", "decision_number": "KK-1"})
    assert again.status_code == 200  # not allowed from "registered": the form shows the error
