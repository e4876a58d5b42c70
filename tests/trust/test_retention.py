"""The gallringsplan: rules per record type, handlers registered by apps, a nightly task that
applies them and logs counts only."""

import datetime as dt
import logging

import pytest

from omstallning.accounts.roles import Role
from omstallning.core import services
from omstallning.core.models import RetentionRule
from omstallning.core.tasks import apply_retention_schedule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 2, 15, tzinfo=dt.UTC)


@pytest.fixture
def user_handler(monkeypatch):
    """A real handler over a real table (users with last_login older than the cut-off)."""
    monkeypatch.setattr(services, "_retention_handlers", {})
    calls = []

    @services.register_retention_handler("accounts.user")
    def purge_users(*, cutoff, action):
        from django.contrib.auth import get_user_model

        old = get_user_model().objects.filter(groups__name="applicant", last_login__lt=cutoff)
        calls.append(action)
        if action == "anonymise":
            return old.update(first_name="", last_name="", email="")
        return old.delete()[1].get("accounts.User", 0)

    return calls


def test_the_task_deletes_only_records_older_than_the_period_and_logs_counts(user_handler, caplog):
    RetentionRule.objects.create(record_type="accounts.user", retention_days=365, action="delete")
    old = UserFactory(username="old", role=Role.APPLICANT, last_login=NOW - dt.timedelta(days=400))
    recent = UserFactory(username="recent", role=Role.APPLICANT, last_login=NOW - dt.timedelta(days=10))
    import time_machine

    with time_machine.travel(NOW, tick=False), caplog.at_level(logging.INFO, logger="omstallning.core.services"):
        result = apply_retention_schedule.delay().get()
    assert result == {"accounts.user": 1}
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(pk=old.pk).exists()
    assert get_user_model().objects.filter(pk=recent.pk).exists()
    assert "accounts.user delete: 1 records" in caplog.text
    assert "old" not in caplog.text.replace("accounts.user", "")
    # The deletion went to the access log, without a user (the job did it).
    from omstallning.core.models import AccessLog

    assert AccessLog.objects.filter(action="delete", object_id=str(old.pk), user=None).exists()
    # Idempotent: nothing more to do the next night.
    with time_machine.travel(NOW, tick=False):
        assert apply_retention_schedule.delay().get() == {"accounts.user": 0}


def test_anonymise_and_inactive_rules(user_handler):
    rule = RetentionRule.objects.create(record_type="accounts.user", retention_days=30, action="anonymise")
    UserFactory(username="anon", role=Role.APPLICANT, last_login=NOW - dt.timedelta(days=31), first_name="Karin")
    assert services.retention_apply(now=NOW) == {"accounts.user": 1}
    assert user_handler == ["anonymise"]
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="anon").first_name == ""
    rule.is_active = False
    rule.save()
    assert services.retention_apply(now=NOW) == {}


def test_a_rule_without_handler_is_skipped_and_a_failing_handler_changes_nothing(monkeypatch, caplog):
    monkeypatch.setattr(services, "_retention_handlers", {})
    RetentionRule.objects.create(record_type="nowhere.thing", retention_days=10, action="delete")

    @services.register_retention_handler("accounts.user")
    def broken(*, cutoff, action):
        from django.contrib.auth import get_user_model

        get_user_model().objects.all().delete()
        raise RuntimeError("boom")

    RetentionRule.objects.create(record_type="accounts.user", retention_days=10, action="delete")
    UserFactory(username="survivor")
    assert services.retention_apply(now=NOW) == {}
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username="survivor").exists()
    assert "no handler registered for nowhere.thing" in caplog.text


def test_the_task_is_scheduled_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["core-apply-retention-schedule"]
    assert entry["task"] == "omstallning.core.tasks.apply_retention_schedule"
    assert entry["schedule"].hour == {2}
