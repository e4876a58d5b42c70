"""Staff log in with password + TOTP when PORTAL_STAFF_OTP_REQUIRED is on; applicants do not."""

import time

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import ENROL_URL, VERIFY_URL, code_from_secret, current_code, password_login, secret_on_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def otp_on(settings):
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    return settings


def test_first_log_in_enrols_an_authenticator_app_then_reaches_the_admin(client, otp_on):
    officer = UserFactory(username="officer", role=Role.CASE_OFFICER)
    response = password_login(client, "officer", TEST_PASSWORD)
    assert response.status_code == 302
    # The password alone reaches nothing: every page sends the officer to the enrolment.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL_URL)
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, as an image (CSP allows data: images)
    secret = secret_on_page(html)
    wrong = client.post(ENROL_URL, {"token": "000000" if code_from_secret(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Koden är fel" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=officer).confirmed
    # django-otp throttles after a wrong code (1 s, doubling); the right code follows later.
    with time_machine.travel(time.time() + 5):
        response = client.post(ENROL_URL, {"token": code_from_secret(secret), "next": "/admin/"})
        # The recovery codes are shown once, with a link on to where the officer was going.
        assert response.status_code == 200
        assert 'data-testid="recovery-codes"' in response.content.decode()
        assert 'href="/admin/"' in response.content.decode()
        assert TOTPDevice.objects.get(user=officer).confirmed
        assert client.get("/admin/").status_code == 200


def test_next_log_in_asks_for_the_code_and_refuses_a_wrong_one(client, otp_on):
    officer = UserFactory(username="officer2", role=Role.ADVISOR)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    password_login(client, "officer2", TEST_PASSWORD)
    response = client.get("/mina-sidor/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    good = current_code(device)
    wrong = "123456" if good != "123456" else "654321"
    response = client.post(VERIFY_URL, {"token": wrong})
    assert response.status_code == 200
    assert "Koden är fel" in response.content.decode()
    assert client.get("/mina-sidor/").status_code == 302
    session_key_before = client.session.session_key
    with time_machine.travel(time.time() + 5):
        response = client.post(VERIFY_URL, {"token": current_code(device), "next": "/mina-sidor/"})
        assert response.status_code == 302
        assert response["Location"] == "/mina-sidor/"
        assert client.session.session_key != session_key_before  # a new session id after the second factor
        assert client.get("/mina-sidor/").status_code == 200


def test_a_code_cannot_be_used_twice(client, otp_on):
    officer = UserFactory(username="officer3", role=Role.ANALYST)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    with time_machine.travel("2026-06-01 10:00:05+00:00", tick=False):
        code = current_code(device)
        password_login(client, "officer3", TEST_PASSWORD)
        assert client.post(VERIFY_URL, {"token": code}).status_code == 302
        client.post("/konto/logga-ut/")
        password_login(client, "officer3", TEST_PASSWORD)
        response = client.post(VERIFY_URL, {"token": code})
        assert response.status_code == 200  # replayed code refused
        assert client.get("/mina-sidor/").status_code == 302


def test_an_unsafe_next_is_ignored(client, otp_on):
    officer = UserFactory(username="officer4", role=Role.CASE_OFFICER)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    password_login(client, "officer4", TEST_PASSWORD)
    response = client.post(VERIFY_URL, {"token": current_code(device), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/mina-sidor/"


def test_applicants_need_no_second_factor(client, otp_on):
    UserFactory(username="applicant", role=Role.APPLICANT)
    password_login(client, "applicant", TEST_PASSWORD)
    assert client.get("/mina-sidor/").status_code == 200


def test_with_the_setting_off_a_password_is_enough(client, settings):
    settings.PORTAL_STAFF_OTP_REQUIRED = False
    UserFactory(username="officer5", role=Role.CASE_OFFICER)
    password_login(client, "officer5", TEST_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_production_requires_the_second_factor_and_test_settings_do_not():
    from pathlib import Path

    from django.conf import settings

    assert settings.PORTAL_STAFF_OTP_REQUIRED is False
    production = (Path(__file__).resolve().parents[2] / "omstallning/settings/production.py").read_text()
    assert 'PORTAL_STAFF_OTP_REQUIRED = env.bool("PORTAL_STAFF_OTP_REQUIRED", default=True)' in production
