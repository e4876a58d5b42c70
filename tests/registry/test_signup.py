"""Organisation sign-up (issue #7: "A representative of an organisation creates an account and
applies online"): the public page creates the account with the organisation reporter role and
leads into the registration application draft; bad input is refused with nothing saved; the page
is rate limited."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from omstallning.accounts.roles import Role
from registry.models import RegistrationCase
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/registrera-omstallningsorganisation/skapa-konto/"
GOOD = {
    "first_name": "Karin",
    "last_name": "Ek",
    "email": "Karin.Ek@Fonden.example",
    "password1": "grön-tallskog-7-vinter",
    "password2": "grön-tallskog-7-vinter",
    "organisation_name": "Trygghetsfonden Exempel",
    "org_number": "8020000009",  # a foundation's number (third digit 2), written without hyphen
    "authorised": "on",
}


def test_the_url_is_the_swedish_one():
    assert reverse("registry:signup") == URL


def test_the_page_is_public_and_linked_from_the_register(client):
    page = client.get(URL)
    assert page.status_code == 200 and b'data-testid="signup-form"' in page.content
    assert URL.encode() in client.get(reverse("registry:register")).content


def test_a_representative_creates_an_account_and_lands_in_the_draft(client):
    response = client.post(URL, GOOD)
    user = get_user_model().objects.get(email="karin.ek@fonden.example")
    case = RegistrationCase.objects.get(applicant=user)
    assert response.status_code == 302
    assert response.url == reverse("registry:registration_edit", args=[case.pk])
    assert user.username == "karin.ek@fonden.example"
    assert user.has_role(Role.ORGANISATION_REPORTER) and not user.has_role(Role.CASE_OFFICER)
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(GOOD["password1"]) and user.password != GOOD["password1"]
    assert (case.state, case.name, case.org_number) == ("draft", "Trygghetsfonden Exempel", "802000-0009")
    assert (case.contact_name, case.contact_email) == ("Karin Ek", "karin.ek@fonden.example")
    # signed in: the draft opens and can be saved
    page = client.get(response.url)
    assert page.status_code == 200 and "Trygghetsfonden Exempel" in page.content.decode()
    # and later the representative logs in with the e-mail address
    client.logout()
    login = client.post(
        reverse("accounts:login"), {"username": "karin.ek@fonden.example", "password": GOOD["password1"]}
    )
    assert login.status_code == 302


def test_with_the_second_factor_required_the_draft_comes_after_enrolment(client, settings):
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    response = client.post(URL, GOOD, follow=True)
    case = RegistrationCase.objects.get()
    first_hop = response.redirect_chain[0][0]
    assert first_hop == reverse("registry:registration_edit", args=[case.pk])
    final = response.redirect_chain[-1][0]
    assert final.startswith(reverse("accounts:otp_enrol"))
    assert "next=" in final


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"org_number": "802000-0008"}, "org_number"),  # wrong check digit
        ({"org_number": "198503159827"}, "org_number"),  # twelve digits: not an organisation number
        ({"org_number": "850315-9827"}, "org_number"),  # a personnummer (third digit 0)
        ({"password1": "kort1", "password2": "kort1"}, "password1"),  # too short
        ({"password1": "password1234", "password2": "password1234"}, "password1"),  # common
        ({"password1": "123456789012345", "password2": "123456789012345"}, "password1"),  # only digits
        ({"password1": "karin.ek@fonden", "password2": "karin.ek@fonden"}, "password1"),  # like the e-mail
        ({"password2": "något-annat-lösen-9"}, "password2"),
        ({"email": "inte-en-adress"}, "email"),
        ({"authorised": ""}, "authorised"),
        ({"organisation_name": ""}, "organisation_name"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, change, field):
    response = client.post(URL, {**GOOD, **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not get_user_model().objects.exists()
    assert not RegistrationCase.objects.exists()


def test_an_address_that_already_has_an_account_is_refused(client):
    UserFactory(username="someone", email="karin.ek@fonden.example")
    response = client.post(URL, GOOD)
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert get_user_model().objects.count() == 1
    assert not RegistrationCase.objects.exists()


def test_messages_are_in_swedish_by_default(client):
    response = client.post(URL, {**GOOD, "org_number": "802000-0008"})
    assert "Ange ett giltigt organisationsnummer" in response.content.decode()


def test_a_signed_in_user_goes_to_the_applications(client):
    client.force_login(UserFactory(role=Role.ORGANISATION_REPORTER))
    response = client.get(URL)
    assert response.status_code == 302 and response.url == reverse("registry:registration_list")


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, 5, tzinfo=datetime.UTC), tick=False)
def test_sign_up_answers_429_after_10_posts_an_hour(client, settings):
    settings.PORTAL_RATELIMIT_ENABLED = True
    cache.clear()
    for _ in range(10):
        assert client.post(URL, {**GOOD, "authorised": ""}).status_code == 200
    assert client.post(URL, GOOD).status_code == 429
    assert not get_user_model().objects.exists()
    assert client.get(URL).status_code == 200
    cache.clear()
