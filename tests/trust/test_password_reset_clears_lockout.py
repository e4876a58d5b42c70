"""A new password set through a valid reset link ends the account's django-axes lock-out; a
wrong link does not. Staff still give the TOTP code after the new password."""

import time

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from omstallning.accounts.models import SecurityEvent
from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import VERIFY_URL, current_code, password_login
from .password_helpers import NEW_PASSWORD, ask_for_reset, reset_link, set_new_password

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _lock_out(client, settings, username):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_login(client, username, "not-the-password-1")
    response = password_login(client, username, TEST_PASSWORD)
    assert response.status_code == 429, "the account is locked, even for the right password"
    assert 'href="/konto/glomt-losenord/"' in response.content.decode(), "the page offers a new password"


def test_a_reset_by_link_unlocks_and_staff_still_need_the_code(
    client, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    officer = UserFactory(username="lasse", role=Role.CASE_OFFICER, email="lasse@example.org")
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    _lock_out(client, settings, "lasse")

    ask_for_reset(Client(), django_capture_on_commit_callbacks, "lasse@example.org")
    reset_mail = next(m for m in mailoutbox if "/konto/nytt-losenord/" in m.body)
    assert set_new_password(Client(), django_capture_on_commit_callbacks, reset_link(reset_mail)).status_code == 302

    assert SecurityEvent.objects.filter(kind="lockout_cleared", user_id_ref=officer.pk).count() == 1
    # The old password no longer works (and is an ordinary failure, not a lock-out).
    assert password_login(client, "lasse", TEST_PASSWORD).status_code == 200
    response = password_login(client, "lasse", NEW_PASSWORD)
    assert response.status_code == 302
    # The password alone is not enough for staff: every page asks for the TOTP code.
    response = client.get("/mina-sidor/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY_URL)
    with time_machine.travel(time.time() + 5):
        response = client.post(VERIFY_URL, {"token": current_code(device), "next": "/mina-sidor/"})
        assert response.status_code == 302
        assert client.get("/mina-sidor/").status_code == 200


def test_a_wrong_link_leaves_the_lock_out(client, settings, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="lisa", role=Role.ADVISOR, email="lisa@example.org")
    _lock_out(client, settings, "lisa")
    ask_for_reset(Client(), django_capture_on_commit_callbacks, "lisa@example.org")
    link = reset_link(next(m for m in mailoutbox if "/konto/nytt-losenord/" in m.body))
    forged = link.rstrip("/")[:-3] + "xyz/"
    visitor = Client()
    opened = visitor.get(forged)
    form_url = opened["Location"] if opened.status_code == 302 else forged
    with django_capture_on_commit_callbacks(execute=True):
        visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD), "a wrong link sets no password"
    assert not SecurityEvent.objects.filter(kind="lockout_cleared").exists()
    assert password_login(client, "lisa", TEST_PASSWORD).status_code == 429


def test_the_password_change_of_a_logged_in_user_does_not_unlock_others(client, settings):
    """Only the reset link clears a lock-out; an administrator's change in the admin does not."""
    user = UserFactory(username="lina", role=Role.ADVISOR)
    _lock_out(client, settings, "lina")
    user.set_password(NEW_PASSWORD)
    user.save()
    assert password_login(client, "lina", NEW_PASSWORD).status_code == 429
