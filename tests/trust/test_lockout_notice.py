"""When django-axes locks an existing account, its holder gets one e-mail per lock-out period (the
task gets the user's id only); an unknown username gets nothing."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from omstallning.accounts import tasks
from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login
from .password_helpers import ask_for_reset, reset_link, set_new_password

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)  # 11:00 in Stockholm


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queued(monkeypatch):
    """The arguments of every lock-out notice task queued (it still runs)."""
    calls = []
    original = tasks.lockout_notice_mail.delay_on_commit

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(tasks.lockout_notice_mail, "delay_on_commit", spy)
    return calls


def _fail(client, username, times):
    for _ in range(times):
        password_login(client, username, "wrong-password-9")


def test_one_notice_per_lock_out_with_time_and_how_to_reset(
    client, settings, django_capture_on_commit_callbacks, mailoutbox, queued
):
    user = UserFactory(username="karin", role=Role.CASE_OFFICER, email="karin@example.org")
    with time_machine.travel(START, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            _fail(client, "karin", settings.AXES_FAILURE_LIMIT)
        assert len(mailoutbox) == 1
        mail = mailoutbox[0]
        assert mail.to == ["karin@example.org"]
        assert "låst" in mail.subject.lower()
        assert "2026-06-01 11:00" in mail.body  # when, in Swedish time
        assert "30 minuter" in mail.body
        assert "behöver du inte göra något" in mail.body  # nothing to do if it was you
        assert "Glömt lösenordet?" in mail.body  # how to choose a new password
        assert "karin" not in mail.body and "karin" not in mail.subject  # no username
        assert queued == [((user.pk,), {})]  # the task gets the id only

        # Every further attempt during the lock-out is signalled by axes again: no second mail.
        clock.shift(dt.timedelta(minutes=10))
        with django_capture_on_commit_callbacks(execute=True):
            _fail(client, "karin", 3)
            password_login(client, "karin", TEST_PASSWORD)
        assert len(mailoutbox) == 1
        assert len(queued) == 1

        # A later lock-out period is a new lock-out: one more notice.
        clock.shift(dt.timedelta(hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            _fail(client, "karin", settings.AXES_FAILURE_LIMIT)
        assert len(mailoutbox) == 2


def test_an_unknown_username_sends_nothing(client, settings, django_capture_on_commit_callbacks, mailoutbox, queued):
    UserFactory(username="known", role=Role.CASE_OFFICER, email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, "nobody-here", settings.AXES_FAILURE_LIMIT + 2)
        _fail(client, "KNOWN", settings.AXES_FAILURE_LIMIT)  # another username, not the account
    assert password_login(client, "nobody-here", TEST_PASSWORD).status_code == 429
    assert mailoutbox == []
    assert queued == []


def test_the_task_is_idempotent_and_speaks_the_users_language(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="eng", role=Role.ADVISOR, email="eng@example.org", preferred_language="en")
    assert tasks.lockout_notice_mail.delay(user.pk).get() is True
    assert tasks.lockout_notice_mail.delay(user.pk).get() is False  # run twice: still one mail
    assert len(mailoutbox) == 1
    assert "locked" in mailoutbox[0].subject
    assert "Forgot your password?" in mailoutbox[0].body


def test_a_reset_ends_the_period_so_a_new_lock_out_is_told_again(
    client, settings, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(username="rut", role=Role.ADVISOR, email="rut@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, "rut", settings.AXES_FAILURE_LIMIT)
    ask_for_reset(Client(), django_capture_on_commit_callbacks, "rut@example.org")
    link = reset_link(next(m for m in mailoutbox if "/konto/nytt-losenord/" in m.body))
    set_new_password(Client(), django_capture_on_commit_callbacks, link)
    before = len([m for m in mailoutbox if "låst" in m.subject.lower()])
    assert before == 1
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, "rut", settings.AXES_FAILURE_LIMIT)
    assert len([m for m in mailoutbox if "låst" in m.subject.lower()]) == 2


def test_no_notice_for_a_disabled_account_or_one_without_address(
    client, settings, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(username="gone", role=Role.ADVISOR, email="gone@example.org", is_active=False)
    UserFactory(username="noaddress", role=Role.ADVISOR, email="")
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, "gone", settings.AXES_FAILURE_LIMIT)
        _fail(client, "noaddress", settings.AXES_FAILURE_LIMIT)
    assert mailoutbox == []
