"""Organisation sign-up (issue #7: "A representative of an organisation creates an account and
applies online"): the public page creates the account (inactive) with the organisation reporter
role and mails a one-time verification link; following it activates the account, logs the person
in and leads into the registration application draft. An address that already has an account gets
the same answer (its owner is told by mail instead); bad input is refused with nothing saved; the
page is rate limited."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
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


SENT = reverse("registry:signup_sent")


def _link(message) -> str:
    """The path of the verification link in the mail."""
    match = re.search(r"https?://[^/\s]+(/registrera-omstallningsorganisation/bekrafta/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_representative_signs_up_confirms_the_address_and_lands_in_the_draft(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, GOOD)
    assert response.status_code == 302 and response.url == SENT
    user = get_user_model().objects.get(email="karin.ek@fonden.example")
    case = RegistrationCase.objects.get(applicant=user)
    # the account waits for the address to be confirmed; nobody is logged in yet
    assert not user.is_active
    assert "_auth_user_id" not in client.session
    assert user.username == "karin.ek@fonden.example"
    assert list(user.groups.values_list("name", flat=True)) == [Role.ORGANISATION_REPORTER.value]
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(GOOD["password1"]) and user.password != GOOD["password1"]
    assert (case.state, case.name, case.org_number) == ("draft", "Trygghetsfonden Exempel", "802000-0009")
    assert (case.contact_name, case.contact_email) == ("Karin Ek", "karin.ek@fonden.example")
    page = client.get(SENT)
    assert page.status_code == 200 and b'data-testid="signup-sent"' in page.content
    # one mail, to the address, in Swedish, with an opaque link (no address, name or org number)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["karin.ek@fonden.example"]
    assert "bekräfta" in message.subject.lower()
    link = _link(message)
    for secret in ["karin", "fonden", "Ek", "802000", "8020000009"]:
        assert secret not in link
    # the log-in does not work before the address is confirmed
    assert (
        client.post(reverse("accounts:login"), {"username": user.username, "password": GOOD["password1"]}).status_code
        == 200
    )
    # GET only shows a button (a mail scanner fetching the link activates nothing)
    page = client.get(link)
    assert page.status_code == 200 and b'data-testid="signup-verify-form"' in page.content
    user.refresh_from_db()
    assert not user.is_active and "_auth_user_id" not in client.session
    # POST activates, logs in and leads into the draft
    response = client.post(link)
    assert response.status_code == 302
    assert response.url == reverse("registry:registration_edit", args=[case.pk])
    user.refresh_from_db()
    assert user.is_active and client.session["_auth_user_id"] == str(user.pk)
    assert user.has_role(Role.ORGANISATION_REPORTER) and not user.has_role(Role.CASE_OFFICER)
    page = client.get(response.url)
    assert page.status_code == 200 and "Trygghetsfonden Exempel" in page.content.decode()
    # the link works once
    client.logout()
    assert client.post(link).status_code == 400
    assert client.get(link).status_code == 400
    # and later the representative logs in with the e-mail address
    login = client.post(
        reverse("accounts:login"), {"username": "karin.ek@fonden.example", "password": GOOD["password1"]}
    )
    assert login.status_code == 302


def test_the_link_expires_after_24_hours(client, django_capture_on_commit_callbacks):
    start = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(URL, GOOD)
        link = _link(mail.outbox[0])
    with time_machine.travel(start + datetime.timedelta(hours=23, minutes=59), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=24, minutes=1), tick=False):
        assert client.post(link).status_code == 400
    assert not get_user_model().objects.get().is_active


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "x" + t, lambda t: "1-abc.x.y"]
)
def test_a_tampered_link_is_refused(client, django_capture_on_commit_callbacks, mangle):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, GOOD)
    token = _link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    bad = reverse("registry:signup_verify", kwargs={"token": mangle(token)})
    assert client.post(bad).status_code == 400
    assert not get_user_model().objects.get().is_active and "_auth_user_id" not in client.session


def test_with_the_second_factor_required_the_draft_comes_after_enrolment(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, GOOD)
    response = client.post(_link(mail.outbox[0]), follow=True)
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


def test_an_address_that_already_has_an_account_gets_the_same_answer_and_its_owner_a_mail(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(username="someone", email="karin.ek@fonden.example")
    password_before = owner.password
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(URL, GOOD)
    # the same answer as for a new address
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post(URL, {**GOOD, "email": "ny.person@fonden.example"})
    assert (taken.status_code, taken.url) == (fresh.status_code, fresh.url) == (302, SENT)
    # no new account for the taken address, the owner's account unchanged
    assert get_user_model().objects.filter(email__iexact="karin.ek@fonden.example").count() == 1
    owner.refresh_from_db()
    assert owner.password == password_before and owner.is_active
    assert not RegistrationCase.objects.filter(applicant=owner).exists()
    # the owner is told; the mail has no verification link
    to_owner = [m for m in mail.outbox if m.to == ["karin.ek@fonden.example"]]
    assert len(to_owner) == 1
    assert "bekrafta" not in to_owner[0].body
    assert reverse("accounts:password_reset") in to_owner[0].body
    assert len(mail.outbox) == 2


def test_the_same_address_twice_makes_one_account(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, GOOD)
        second = client.post(URL, {**GOOD, "email": "KARIN.EK@fonden.example"})
    assert second.status_code == 302 and second.url == SENT
    assert get_user_model().objects.count() == 1 and RegistrationCase.objects.count() == 1
    assert len(mail.outbox) == 2  # the link, then "someone tried to sign up with your address"


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
