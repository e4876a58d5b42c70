"""Security events go to the `omstallning.security` logger as structured records with the user's
id only, and are counted in the admin."""

import logging

import pytest
from django.test import Client

from omstallning.accounts.models import SecurityEvent
from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login

pytestmark = pytest.mark.django_db


def _events(caplog):
    return [r for r in caplog.records if r.name == "omstallning.security"]


def test_log_in_failure_lock_out_password_change_and_log_out(client, caplog, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory(username="maria.m", role=Role.CASE_OFFICER, personnummer="191212121212")
    with caplog.at_level(logging.INFO, logger="omstallning.security"):
        password_login(client, "maria.m", TEST_PASSWORD)
        client.post("/konto/logga-ut/")
        for _ in range(3):
            password_login(Client(), "maria.m", "wrong-password-1")
        user.set_password("a-new-long-password-2026")
        user.save()
    kinds = [r.security_event for r in _events(caplog)]
    assert kinds[:2] == ["login", "logout"]
    assert kinds.count("login_failed") == 3
    assert "locked_out" in kinds
    assert "password_changed" in kinds
    text = "\n".join(r.getMessage() for r in _events(caplog))
    # The user's id only: no username, no personnummer, no address.
    assert "maria.m" not in text and "191212121212" not in text and "127.0.0.1" not in text
    assert f"user_id={user.pk}" in text
    locked = next(r for r in _events(caplog) if r.security_event == "locked_out")
    assert locked.user_id == user.pk
    assert SecurityEvent.objects.filter(kind="login_failed").count() == 3
    assert SecurityEvent.objects.filter(kind="locked_out", user_id_ref=user.pk).count() >= 1


def test_a_403_is_a_permission_denied_event(client, caplog):
    applicant = UserFactory(username="appl", role=Role.APPLICANT)
    client.force_login(applicant)
    with caplog.at_level(logging.INFO, logger="omstallning.security"):
        response = Client(enforce_csrf_checks=True).post("/konto/logga-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403  # no CSRF token
    events = [r for r in _events(caplog) if r.security_event == "permission_denied"]
    assert len(events) == 1
    assert events[0].event_view == "accounts:login"
    assert SecurityEvent.objects.filter(kind="permission_denied").count() == 1


def test_otp_failure_is_an_event(client, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .helpers import VERIFY_URL, current_code

    settings.PORTAL_STAFF_OTP_REQUIRED = True
    officer = UserFactory(username="otp1", role=Role.CASE_OFFICER)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    password_login(client, "otp1", TEST_PASSWORD)
    good = current_code(device)
    client.post(VERIFY_URL, {"token": "123456" if good != "123456" else "654321"})
    assert SecurityEvent.objects.filter(kind="otp_failed", user_id_ref=officer.pk).count() == 1


def test_the_admin_lists_and_counts_events_read_only(client):
    admin = UserFactory(username="root", role=Role.ADMINISTRATOR)
    SecurityEvent.objects.create(kind="login_failed")
    SecurityEvent.objects.create(kind="login_failed")
    SecurityEvent.objects.create(kind="locked_out", user_id_ref=admin.pk)
    client.force_login(admin)
    page = client.get("/admin/accounts/securityevent/?kind__exact=login_failed")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 " in html or "2 säkerhetshändelser" in html
    assert client.get("/admin/accounts/securityevent/add/").status_code == 403
    summary = client.get("/admin/accounts/securityevent/")
    assert 'data-testid="event-counts"' in summary.content.decode()


def test_the_user_is_told_by_email_when_how_they_log_in_changes(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="notis", role=Role.CASE_OFFICER, email="gammal@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        user.set_password(TEST_PASSWORD)  # the same password again: no notice
        user.save()
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        user.set_password("a-new-long-password-2026")
        user.save()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["gammal@example.org"]
    assert "lösenord" in mailoutbox[0].body.lower()
    with django_capture_on_commit_callbacks(execute=True):
        user.email = "ny@example.org"
        user.save()
    assert mailoutbox[-1].to == ["gammal@example.org", "ny@example.org"]
    assert "ny@example.org" not in mailoutbox[-1].body  # the notice names no values
    from omstallning.accounts.services import recovery_codes_generate

    with django_capture_on_commit_callbacks(execute=True):
        codes = recovery_codes_generate(user=user)
    assert not any(code in mailoutbox[-1].body for code in codes)
    assert len(mailoutbox) == 3
