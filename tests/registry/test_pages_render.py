"""Every registry page and admin list renders for the people allowed to see it."""

import datetime

import pytest
from django.urls import reverse

from omstallning.accounts.roles import Role
from registry import demo, services
from registry.models import CompensationApplication, Organisation, RegistrationCase

from .factories import member_of


@pytest.fixture
def seeded(db):
    demo.seed()
    return Organisation.objects.get(org_number="802000-0009")


def test_member_pages(client, seeded):
    user = member_of(seeded)
    client.force_login(user)
    assert client.get(reverse("registry:member_home")).status_code == 302  # one organisation: straight to it
    for name in ("registry:affiliations", "registry:compensation"):
        assert client.get(reverse(name, args=[seeded.pk])).status_code == 200
    listing = client.get(reverse("registry:affiliations_csv", args=[seeded.pk]))
    assert b"556036-0793;Demo Verkstad AB;2023-01-01;" in listing.content
    assert listing["Content-Disposition"] == 'attachment; filename="anslutna-arbetsgivare.csv"'
    assert client.get(reverse("registry:registration_list")).status_code == 200


def test_public_pages_in_both_languages(client, seeded):
    urls = [
        reverse("registry:register"),
        reverse("registry:lookup"),
        reverse("registry:organisation", args=[seeded.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200
    assert "Hitta omställningsorganisation".encode() in client.get(urls[1]).content  # Swedish by default
    # the organisation page only shows: a POST is refused, not answered like a GET
    assert client.post(urls[2]).status_code == 405
    client.cookies["django_language"] = "en"
    assert b"Find your transition organisation" in client.get(urls[1]).content
    for url in urls:
        assert client.get(url).status_code == 200


def test_admin_lists_for_case_officers(client, seeded, user_factory):
    officer = user_factory(role=Role.CASE_OFFICER)
    applicant = user_factory()
    RegistrationCase.objects.create(applicant=applicant, name="Ärende")
    reporter = member_of(seeded)
    services.compensation_file(
        organisation=seeded,
        year=2023,
        records=[(2, "556036-0793", "100", "100000")],
        by=reporter,
        filed_on=datetime.date(2024, 3, 1),
    )
    client.force_login(officer)
    for model in (
        "organisation",
        "registrationcase",
        "registrationperiod",
        "employeraffiliation",
        "affiliationupload",
        "apitoken",
        "compensationapplication",
    ):
        response = client.get(reverse(f"admin:registry_{model}_changelist"))
        assert response.status_code == 200, model
    app = CompensationApplication.objects.get()
    assert client.get(reverse("admin:registry_compensation_decide", args=[app.pk])).status_code == 200
    case = RegistrationCase.objects.get()
    assert client.get(reverse("admin:registry_registrationcase_change", args=[case.pk])).status_code == 200


def test_applicants_do_not_get_into_the_admin(client, seeded, user_factory):
    client.force_login(user_factory(role=Role.APPLICANT))
    response = client.get(reverse("admin:registry_registrationcase_changelist"))
    assert response.status_code in (302, 403)
