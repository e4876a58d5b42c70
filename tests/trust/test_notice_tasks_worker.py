"""The lock-out and new-browser notices run on a real Celery worker through Redis (not eager):
the tasks are registered under their names and take only ids (JSON)."""

import re
import time

import pytest
from django.test import Client

from omstallning.accounts.models import KnownDevice
from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _succeeded(log: str, task: str) -> bool:
    return re.search(rf"{re.escape(task)}\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: True", log) is not None


def test_the_worker_sends_both_notices(celery_worker_process, settings):
    user = UserFactory(username="wilma", role=Role.ADVISOR, email="wilma@example.org")
    first, second = Client(), Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    assert password_login(first, "wilma", TEST_PASSWORD).status_code == 302  # first log-in: silent
    assert password_login(second, "wilma", TEST_PASSWORD).status_code == 302  # a new browser
    device = KnownDevice.objects.get(user=user, device="Firefox, Linux")
    log = celery_worker_process("omstallning.accounts.tasks.new_device_notice_mail[")
    deadline = time.monotonic() + 30
    while not _succeeded(log, "omstallning.accounts.tasks.new_device_notice_mail") and time.monotonic() < deadline:
        time.sleep(0.2)
        log = celery_worker_process("new_device_notice_mail[")
    assert _succeeded(log, "omstallning.accounts.tasks.new_device_notice_mail"), log
    device.refresh_from_db()
    assert device.notified_at is not None

    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        password_login(Client(), "wilma", "wrong-password-7")
    log = celery_worker_process("omstallning.accounts.tasks.lockout_notice_mail[")
    deadline = time.monotonic() + 30
    while not _succeeded(log, "omstallning.accounts.tasks.lockout_notice_mail") and time.monotonic() < deadline:
        time.sleep(0.2)
        log = celery_worker_process("lockout_notice_mail[")
    assert _succeeded(log, "omstallning.accounts.tasks.lockout_notice_mail"), log
    assert log.count("omstallning.accounts.tasks.lockout_notice_mail[") <= 2  # received + succeeded: once
    assert "wilma@example.org" not in log
