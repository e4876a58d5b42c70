"""Repeated failed passwords lock the account (django-axes) for 30 minutes."""

import datetime as dt

import pytest
import time_machine

from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login

pytestmark = pytest.mark.django_db


def test_five_failures_lock_the_account_even_for_the_right_password(client, settings):
    UserFactory(username="locked", role=Role.CASE_OFFICER)
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = password_login(client, "locked", "wrong-password-1")
            assert response.status_code == 200
        response = password_login(client, "locked", "wrong-password-1")
        assert response.status_code == 429
        assert "Kontot är låst" in response.content.decode()
        response = password_login(client, "locked", TEST_PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        # Another account is not affected by the lock-out.
        UserFactory(username="other", role=Role.CASE_OFFICER)
        assert password_login(client, "other", TEST_PASSWORD).status_code == 302
        client.post("/konto/logga-ut/")
        clock.shift(dt.timedelta(minutes=31))
        response = password_login(client, "locked", TEST_PASSWORD)
        assert response.status_code == 302
        assert client.get("/mina-sidor/").status_code == 200


def test_a_success_resets_the_count(client, settings):
    UserFactory(username="forgetful", role=Role.ADVISOR)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_login(client, "forgetful", "wrong-password-2")
    assert password_login(client, "forgetful", TEST_PASSWORD).status_code == 302
    client.post("/konto/logga-ut/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_login(client, "forgetful", "wrong-password-2").status_code == 200
    assert password_login(client, "forgetful", TEST_PASSWORD).status_code == 302


def test_the_test_client_login_still_works_for_other_apps(client):
    UserFactory(username="plain", role=Role.CASE_OFFICER)
    assert client.login(username="plain", password=TEST_PASSWORD)
    assert client.get("/mina-sidor/").status_code == 200


def test_the_admin_log_in_page_sends_staff_to_the_portals_log_in(client):
    response = client.get("/admin/login/", {"next": "/admin/core/accesslog/"})
    assert response.status_code == 302
    assert response["Location"] == "/konto/logga-in/?next=/admin/core/accesslog/"
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302
