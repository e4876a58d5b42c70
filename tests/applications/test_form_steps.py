"""The applicant's multi-step form: saved at every step, resumable, errors at the field and summary."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.forms import frame_months
from applications.models import Application, Draft, HealthDetails

from .factories import PERSONNUMMER, ApplicantFactory, about_data, employment_data, pdf_upload

pytestmark = pytest.mark.django_db


def _start(client, service="radgivning"):
    response = client.post(reverse("applications:choose_service"), {"service": service})
    assert response.status_code == 302
    return Draft.objects.get()


def _grid(hours="160"):
    data = {}
    for m in frame_months(timezone.localdate()):
        data[f"hours_{m}"] = hours
        data[f"income_{m}"] = ""
        data[f"skip_{m}"] = ""
    return data


def test_full_path_through_the_form(client):
    user = ApplicantFactory()
    client.force_login(user)
    draft = _start(client)
    url = lambda slug: reverse("applications:step", args=[draft.pk, slug])  # noqa: E731

    page = client.get(url("om-dig"))
    assert page.status_code == 200
    assert b'aria-current="step"' in page.content

    assert client.post(url("om-dig"), about_data()).status_code == 302
    assert client.post(url("anstallning"), employment_data()).status_code == 302
    assert client.post(url("arbetshistorik"), _grid()).status_code == 302
    response = client.post(url("bilagor"), {"kind": "arbetsgivarintyg", "file": pdf_upload(), "upload": "1"})
    assert response.status_code == 302
    assert client.post(url("bilagor"), {"continue": "1"}).status_code == 302
    review = client.get(url("granska"))
    assert b"Exempel AB" in review.content
    response = client.post(reverse("applications:submit"), {"token": str(draft.token), "confirm": "on"})
    assert response.status_code == 302
    app = Application.objects.get()
    receipt = client.get(response["Location"])
    assert app.reference.encode() in receipt.content
    assert app.attachments.count() == 1
    assert app.snapshot["steps"]["work_history"]["months"][0]["hours"] == "160"


def test_each_step_is_saved_and_can_be_resumed(client):
    user = ApplicantFactory()
    client.force_login(user)
    draft = _start(client)
    client.post(reverse("applications:step", args=[draft.pk, "om-dig"]), {**about_data(), "save_and_leave": "1"})
    draft.refresh_from_db()
    assert draft.data["about"]["municipality"] == "Uppsala"
    page = client.get(reverse("applications:step", args=[draft.pk, "om-dig"]))
    assert b"Uppsala" in page.content
    assert b"om-dig" in client.get(reverse("applications:choose_service")).content


def test_bad_personnummer_is_shown_at_the_field_and_in_the_summary(client):
    user = ApplicantFactory()
    client.force_login(user)
    draft = _start(client)
    response = client.post(
        reverse("applications:step", args=[draft.pk, "om-dig"]), about_data(personnummer="19800510-0007")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "data-error-summary" in content
    assert 'href="#id_personnummer"' in content
    assert "invalid-feedback" in content or "is-invalid" in content
    draft.refresh_from_db()
    assert "about" not in draft.data


def test_personnummer_is_prefilled_and_locked_from_the_account(client):
    user = ApplicantFactory(personnummer=PERSONNUMMER)
    client.force_login(user)
    draft = _start(client)
    url = reverse("applications:step", args=[draft.pk, "om-dig"])
    page = client.get(url).content.decode()
    assert "disabled" in page
    client.post(url, about_data(personnummer="194001010000"))
    draft.refresh_from_db()
    assert draft.data["about"]["personnummer"] == PERSONNUMMER


def test_bad_organisation_number_and_missing_end_date(client):
    client.force_login(ApplicantFactory())
    draft = _start(client)
    response = client.post(
        reverse("applications:step", args=[draft.pk, "anstallning"]),
        employment_data(employer_org_number="556036-0794", employment_end_date=""),
    )
    content = response.content.decode()
    assert 'href="#id_employer_org_number"' in content
    assert 'href="#id_employment_end_date"' in content


def test_negative_hours_are_refused(client):
    client.force_login(ApplicantFactory())
    draft = _start(client)
    grid = _grid()
    first = frame_months(timezone.localdate())[0]
    grid[f"hours_{first}"] = "-5"
    response = client.post(reverse("applications:step", args=[draft.pk, "arbetshistorik"]), grid)
    assert response.status_code == 200
    assert f'href="#id_hours_{first}"' in response.content.decode()


def test_health_details_are_stored_apart(client):
    client.force_login(ApplicantFactory())
    draft = _start(client, "forstarkt_stod")
    url = reverse("applications:step", args=[draft.pk, "behov"])
    client.post(url, {"special_needs": "yes", "description": "Behöver anpassade möten."})
    draft.refresh_from_db()
    assert "Behöver" not in str(draft.data)
    assert HealthDetails.objects.get(draft=draft).description == "Behöver anpassade möten."


def test_yttrande_asks_for_the_education(client):
    client.force_login(ApplicantFactory())
    draft = _start(client, "yttrande")
    url = reverse("applications:step", args=[draft.pk, "utbildning"])
    response = client.post(url, {"education_name": "", "provider": "Komvux", "start_date": "2027-01-10"})
    assert 'href="#id_education_name"' in response.content.decode()
    assert client.get(reverse("applications:step", args=[draft.pk, "arbetshistorik"])).status_code == 404


def test_another_persons_draft_is_404(client):
    owner = ApplicantFactory()
    client.force_login(owner)
    draft = _start(client)
    client.force_login(ApplicantFactory())
    assert client.get(reverse("applications:step", args=[draft.pk, "om-dig"])).status_code == 404
    response = client.post(reverse("applications:submit"), {"token": str(draft.token), "confirm": "on"})
    assert response.status_code == 404
    assert Application.objects.count() == 0


def test_login_required(client):
    response = client.get(reverse("applications:choose_service"))
    assert response.status_code == 302
    assert "logga-in" in response["Location"]


def test_skippable_month_extends_the_frame_with_an_earlier_month(client):
    """D6: a flagged month that does not qualify is replaced by the month before the frame."""
    from applications import services
    from applications.forms import EXTRA_MONTHS, FRAME_MONTHS

    user = ApplicantFactory()
    client.force_login(user)
    draft = _start(client)
    months = frame_months(timezone.localdate(), FRAME_MONTHS + EXTRA_MONTHS)
    grid = {}
    for i, m in enumerate(months):
        worked = i < 11 or i == FRAME_MONTHS  # 11 months in the frame, and the first month before it
        grid[f"hours_{m}"] = "160" if worked else ""
        grid[f"income_{m}"] = ""
        grid[f"skip_{m}"] = "sjukpenning" if i == 11 else ""
    page = client.get(reverse("applications:step", args=[draft.pk, "arbetshistorik"])).content.decode()
    assert f'name="hours_{months[-1]}"' in page
    client.post(reverse("applications:step", args=[draft.pk, "om-dig"]), about_data())
    client.post(reverse("applications:step", args=[draft.pk, "anstallning"]), employment_data())
    assert client.post(reverse("applications:step", args=[draft.pk, "arbetshistorik"]), grid).status_code == 302
    draft.refresh_from_db()
    assert len(draft.data["work_history"]["months"]) == FRAME_MONTHS + 1  # empty earlier months are left out
    app = services.application_submit(token=draft.token, by=user).application
    assert app.eligible is True, app.eligibility_result
    assert app.eligibility_result["work_requirement"]["qualifying_months_hours"] == 12
