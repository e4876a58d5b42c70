"""A task enqueued inside a transaction that rolls back never runs (delay_on_commit)."""

import time

import pytest
from django.db import transaction

from tests.faults.models import ProbeAttempt, ProbeEffect
from tests.faults.tasks import probe

pytestmark = [pytest.mark.celery_worker]


class Boom(Exception):
    pass


def wait_for_effect(key, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ProbeEffect.objects.filter(key=key).exists():
            return
        time.sleep(0.2)
    raise AssertionError(f"no effect for {key} within {timeout}s")


def test_task_enqueued_in_a_rolled_back_transaction_never_runs(celery_worker_factory):
    celery_worker_factory()
    with pytest.raises(Boom), transaction.atomic():
        probe.delay_on_commit("rolled-back")
        raise Boom
    with transaction.atomic():
        probe.delay_on_commit("committed")
    # one worker, one process: the committed task runs after anything enqueued before it
    wait_for_effect("committed")
    assert not ProbeAttempt.objects.filter(key="rolled-back").exists()
    assert not ProbeEffect.objects.filter(key="rolled-back").exists()
