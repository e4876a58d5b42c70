"""A worker process killed with kill -9 in the middle of a task: after redelivery the task takes
effect exactly once (acks_late + task_reject_on_worker_lost + an idempotent task)."""

import os
import signal
import time

import pytest

from tests.faults.models import ProbeAttempt, ProbeEffect
from tests.faults.tasks import probe

pytestmark = [pytest.mark.celery_worker]


def test_kill_9_mid_task_redelivers_and_the_effect_happens_once(celery_worker_factory):
    worker = celery_worker_factory()
    probe.delay("killed-mid-task", 4.0)
    deadline = time.monotonic() + 30
    while not ProbeAttempt.objects.filter(key="killed-mid-task").exists():
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.1)
    first = ProbeAttempt.objects.get(key="killed-mid-task")
    os.kill(first.pid, signal.SIGKILL)  # the pool process running the task, in the middle of it

    deadline = time.monotonic() + 60
    while not ProbeEffect.objects.filter(key="killed-mid-task").exists():
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.2)
    attempts = list(ProbeAttempt.objects.filter(key="killed-mid-task").order_by("id"))
    assert len(attempts) == 2, worker.log()  # redelivered once
    assert attempts[1].pid != first.pid
    assert ProbeEffect.objects.filter(key="killed-mid-task").count() == 1
    with pytest.raises(ProcessLookupError):  # the killed pool process is gone for good
        os.kill(first.pid, 0)
