"""The reset link works once, does not log the user in, and staff still give the TOTP code at the
next log-in."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from omstallning.accounts.models import SecurityEvent
from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import VERIFY_URL, password_login
from .password_helpers import NEW_PASSWORD, RESET_COMPLETE_URL, ask_for_reset, reset_link, set_new_password

pytestmark = pytest.mark.django_db


def test_the_link_sets_a_new_password_once_and_does_not_log_in(
    client, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    officer = UserFactory(username="officer", role=Role.CASE_OFFICER, email="officer@example.org")
    TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    ask_for_reset(client, django_capture_on_commit_callbacks, "officer@example.org")
    link = reset_link(mailoutbox[0])

    done = set_new_password(client, django_capture_on_commit_callbacks, link)
    assert done.status_code == 302 and done["Location"] == RESET_COMPLETE_URL
    complete = client.get(RESET_COMPLETE_URL)
    assert complete.status_code == 200 and 'data-testid="password-reset-complete"' in complete.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    # Not logged in by the reset.
    assert "_auth_user_id" not in client.session
    assert client.get("/mina-sidor/").status_code == 302
    kinds = list(SecurityEvent.objects.filter(user_id_ref=officer.pk).values_list("kind", flat=True))
    assert "password_reset" in kinds and "password_changed" in kinds
    # The notice of the change follows the reset mail.
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["officer@example.org"]

    # The same link again: refused, and the password stays.
    again = Client().get(link)
    assert again.status_code == 200
    assert 'data-testid="password-reset-invalid"' in again.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)

    # The next log-in takes the new password, then the TOTP code.
    fresh = Client()
    assert password_login(fresh, "officer", TEST_PASSWORD).status_code == 200
    assert password_login(fresh, "officer", NEW_PASSWORD).status_code == 302
    response = fresh.get("/mina-sidor/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY_URL)


def test_a_forged_or_broken_link_is_refused(client, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="eva", role=Role.APPLICANT, email="eva@example.org")
    ask_for_reset(client, django_capture_on_commit_callbacks, "eva@example.org")
    link = reset_link(mailoutbox[0])
    prefix, uid, token, _ = link.rsplit("/", 3)
    for bad in [f"{prefix}/{uid}/{token[:-2]}xx/", f"{prefix}/MTIzNDU2/{token}/", f"{prefix}/inte-base64/{token}/"]:
        response = Client().get(bad)
        assert response.status_code == 200
        assert 'data-testid="password-reset-invalid"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_a_weak_password_is_refused_and_the_link_still_works(client, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="eva", role=Role.APPLICANT, email="eva@example.org")
    ask_for_reset(client, django_capture_on_commit_callbacks, "eva@example.org")
    link = reset_link(mailoutbox[0])
    weak = set_new_password(client, django_capture_on_commit_callbacks, link, password="kort")
    assert weak.status_code == 200 and "error-summary" in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert set_new_password(Client(), django_capture_on_commit_callbacks, link).status_code == 302
