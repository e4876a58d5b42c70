"""A real Celery worker on the real Redis runs a task enqueued on commit."""

import pytest
from django.db import transaction

from omstallning.core.tasks import heartbeat

pytestmark = [pytest.mark.celery_worker]


def test_worker_runs_a_task_enqueued_on_commit(celery_worker_process):
    with transaction.atomic():
        heartbeat.delay_on_commit()
    celery_worker_process("omstallning.core.tasks.heartbeat[")
    log = celery_worker_process("succeeded")
    assert "omstallning.core.tasks.heartbeat" in log
