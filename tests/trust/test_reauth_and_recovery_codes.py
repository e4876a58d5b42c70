"""Re-authentication before changing e-mail/phone (password, or TOTP for staff with an app) with a
short window kept in the session; TOTP recovery codes: made at enrolment, shown once, each usable
once, renewable after re-authentication."""

import time

import pytest
import time_machine
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from omstallning.accounts.models import SecurityEvent
from omstallning.accounts.roles import Role
from omstallning.accounts.services import SESSION_REAUTH_AT, recovery_code_digest
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import ENROL_URL, VERIFY_URL, code_from_secret, current_code, password_login, secret_on_page

pytestmark = pytest.mark.django_db
CONTACT_URL = "/konto/sakerhet/kontaktuppgifter/"
REAUTH_URL = "/konto/bekrafta/"
CODES_URL = "/konto/sakerhet/aterstallningskoder/"


def _codes_on_page(html):
    import re

    block = html.split('data-testid="recovery-codes"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li>([a-z2-7]{8})</li>", block)


def _age_reauth(client, seconds=3600):
    session = client.session
    session[SESSION_REAUTH_AT] = int(time.time()) - seconds
    session.save()


def test_changing_email_needs_the_password_again_after_the_window(client):
    user = UserFactory(username="eva", role=Role.APPLICANT, email="eva@example.org")
    password_login(client, "eva", TEST_PASSWORD)
    _age_reauth(client)
    response = client.get(CONTACT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH_URL)
    # A POST straight to the form is refused as well, and nothing changes.
    client.post(CONTACT_URL, {"email": "mallory@example.org", "phone": ""})
    user.refresh_from_db()
    assert user.email == "eva@example.org"

    wrong = client.post(REAUTH_URL, {"password": "not-the-password", "next": CONTACT_URL})
    assert wrong.status_code == 200
    assert "Lösenordet är fel" in wrong.content.decode()
    right = client.post(REAUTH_URL, {"password": TEST_PASSWORD, "next": CONTACT_URL})
    assert right.status_code == 302 and right["Location"] == CONTACT_URL
    saved = client.post(CONTACT_URL, {"email": "eva.ny@example.org", "phone": "070-123 45 67"})
    assert saved.status_code == 302
    user.refresh_from_db()
    assert (user.email, user.phone) == ("eva.ny@example.org", "070-123 45 67")
    kinds = set(SecurityEvent.objects.filter(user_id_ref=user.pk).values_list("kind", flat=True))
    assert {"reauth_failed", "reauth", "email_changed", "phone_changed"} <= kinds


def test_the_window_is_short(client, settings):
    settings.PORTAL_REAUTH_WINDOW = 300
    UserFactory(username="eva", role=Role.APPLICANT)
    with time_machine.travel(time.time(), tick=False) as clock:
        password_login(client, "eva", TEST_PASSWORD)  # a fresh log-in counts
        assert client.get(CONTACT_URL).status_code == 200
        clock.shift(301)
        assert client.get(CONTACT_URL).status_code == 302


def test_bad_input_is_refused_with_a_message_and_nothing_saved(client):
    user = UserFactory(username="eva", role=Role.APPLICANT, email="eva@example.org")
    password_login(client, "eva", TEST_PASSWORD)
    response = client.post(CONTACT_URL, {"email": "not-an-address", "phone": "ring mig"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    user.refresh_from_db()
    assert user.email == "eva@example.org" and user.phone == ""


@pytest.fixture
def otp_on(settings):
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    return settings


def test_staff_with_an_app_reauthenticate_with_a_code(client, otp_on):
    officer = UserFactory(username="olle", role=Role.CASE_OFFICER)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    password_login(client, "olle", TEST_PASSWORD)
    client.post(VERIFY_URL, {"token": current_code(device)})
    _age_reauth(client)
    page = client.get(REAUTH_URL)
    assert 'name="token"' in page.content.decode() and 'name="password"' not in page.content.decode()
    # The same code cannot be used twice (django-otp), so move on a step.
    with time_machine.travel(time.time() + 31):
        response = client.post(REAUTH_URL, {"token": current_code(device), "next": CONTACT_URL})
        assert response.status_code == 302 and response["Location"] == CONTACT_URL
        assert client.get(CONTACT_URL).status_code == 200


def test_enrolment_shows_recovery_codes_once_and_each_works_once(client, otp_on):
    officer = UserFactory(username="stina", role=Role.ADVISOR)
    password_login(client, "stina", TEST_PASSWORD)
    secret = secret_on_page(client.get(ENROL_URL).content.decode())
    response = client.post(ENROL_URL, {"token": code_from_secret(secret), "next": "/mina-sidor/"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'data-testid="recovery-codes"' in html
    codes = _codes_on_page(html)
    assert len(codes) == 10
    # Only keyed hashes are stored, never the codes.
    stored = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    assert stored == {recovery_code_digest(c) for c in codes}
    assert client.get("/mina-sidor/").status_code == 200  # verified
    # The security page never shows them again, only how many are left.
    page = client.get("/konto/sakerhet/").content.decode()
    assert not any(code in page for code in codes)
    assert "10" in page

    # Phone lost: log in with a recovery code, once.
    client.post("/konto/logga-ut/")
    password_login(client, "stina", TEST_PASSWORD)
    response = client.post(VERIFY_URL, {"recovery_code": codes[0].upper(), "next": "/mina-sidor/"})
    assert response.status_code == 302 and response["Location"] == "/mina-sidor/"
    assert client.get("/mina-sidor/").status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    client.post("/konto/logga-ut/")
    password_login(client, "stina", TEST_PASSWORD)
    with time_machine.travel(time.time() + 5):  # past django-otp's throttle
        again = client.post(VERIFY_URL, {"recovery_code": codes[0]})
    assert again.status_code == 200
    assert client.get("/mina-sidor/").status_code == 302
    assert SecurityEvent.objects.filter(kind="recovery_code_used", user_id_ref=officer.pk).count() == 1
    assert SecurityEvent.objects.filter(kind="otp_failed", user_id_ref=officer.pk).exists()


def test_new_recovery_codes_need_reauthentication_and_replace_the_old(client, otp_on):
    officer = UserFactory(username="stina", role=Role.ADVISOR)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    from omstallning.accounts.services import recovery_codes_generate

    old = recovery_codes_generate(user=officer)
    password_login(client, "stina", TEST_PASSWORD)
    client.post(VERIFY_URL, {"token": current_code(device)})
    _age_reauth(client)
    response = client.post(CODES_URL)
    assert response.status_code == 302 and response["Location"].startswith(REAUTH_URL)
    stored = sorted(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert stored == sorted(recovery_code_digest(c) for c in old)
    with time_machine.travel(time.time() + 31):
        client.post(REAUTH_URL, {"token": current_code(device)})
        response = client.post(CODES_URL)
    assert response.status_code == 200
    new = _codes_on_page(response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    stored = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert stored == {recovery_code_digest(c) for c in new}
    # An applicant without an app has no codes to renew.
    UserFactory(username="app1", role=Role.APPLICANT)
    client.post("/konto/logga-ut/")
    password_login(client, "app1", TEST_PASSWORD)
    assert client.post(CODES_URL).status_code == 404
