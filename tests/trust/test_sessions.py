"""Sessions end after 30 minutes idle and 12 hours in total; log-out and disabling an account end
every session of the account."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def test_idle_for_more_than_30_minutes_ends_the_session(client):
    UserFactory(username="idle", role=Role.CASE_OFFICER)
    with time_machine.travel(START, tick=False) as clock:
        password_login(client, "idle", TEST_PASSWORD)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/mina-sidor/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 58 minutes after log-in, but active 29 minutes ago
        assert client.get("/mina-sidor/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/mina-sidor/")
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/logga-in/")
        assert "_auth_user_id" not in client.session


def test_twelve_hours_after_log_in_the_session_ends_whatever_the_activity(client):
    UserFactory(username="busy", role=Role.ADVISOR)
    with time_machine.travel(START, tick=False) as clock:
        password_login(client, "busy", TEST_PASSWORD)
        for _ in range(11 * 3):  # a request every 20 minutes for 11 hours
            clock.shift(dt.timedelta(minutes=20))
            assert client.get("/mina-sidor/").status_code == 200
        clock.shift(dt.timedelta(minutes=61))  # 12 h 1 min after the log-in
        assert client.get("/mina-sidor/").status_code == 302


def test_the_session_cookie_lasts_at_most_twelve_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.PORTAL_SESSION_IDLE_TIMEOUT == 30 * 60


def test_logging_out_ends_every_session_of_the_account():
    UserFactory(username="twodevices", role=Role.CASE_OFFICER)
    laptop, phone = Client(), Client()
    password_login(laptop, "twodevices", TEST_PASSWORD)
    password_login(phone, "twodevices", TEST_PASSWORD)
    assert phone.get("/mina-sidor/").status_code == 200
    laptop.post("/konto/logga-ut/")
    assert phone.get("/mina-sidor/").status_code == 302
    # A new log-in works again.
    password_login(phone, "twodevices", TEST_PASSWORD)
    assert phone.get("/mina-sidor/").status_code == 200


def test_disabling_an_account_ends_its_sessions_even_if_it_is_enabled_again(client):
    user = UserFactory(username="disabled", role=Role.ADVISOR)
    password_login(client, "disabled", TEST_PASSWORD)
    assert client.get("/mina-sidor/").status_code == 200
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()
    assert client.get("/mina-sidor/").status_code == 302


def test_an_administrator_disabling_an_account_in_the_admin_ends_its_sessions(client):
    admin = UserFactory(username="theadmin", role=Role.ADMINISTRATOR)
    target = UserFactory(username="leaver", role=Role.CASE_OFFICER)
    leaver = Client()
    password_login(leaver, "leaver", TEST_PASSWORD)
    assert leaver.get("/mina-sidor/").status_code == 200
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "end_all_sessions", "_selected_action": [target.pk]},
    )
    assert response.status_code == 302
    assert leaver.get("/mina-sidor/").status_code == 302
