"""A real Celery worker imports an upload in one task (never one per row)."""

import time

import pytest
from django.db import transaction

from statistics import services
from statistics.models import StatRow, Submission

from .factories import PERIOD, OrganisationFactory, csv_text, good_rows, write

pytestmark = [pytest.mark.celery_worker]


def test_worker_imports_the_upload_in_one_task(celery_worker_process, tmp_path, settings):
    # the worker (test settings) reads uploads from var/test-private: store the file there too
    settings.PRIVATE_MEDIA_ROOT = settings.BASE_DIR / "var" / "test-private"
    org = OrganisationFactory()
    path = write(tmp_path, csv_text(good_rows(300)))
    with transaction.atomic():
        sub = services.submission_create(organisation=org, period=PERIOD, file=path)
    log = celery_worker_process("succeeded", timeout=60)
    assert log.count("statistics.tasks.import_submission[") >= 1
    deadline = time.monotonic() + 20
    while Submission.objects.get(pk=sub.pk).status == "processing" and time.monotonic() < deadline:
        time.sleep(0.2)
    sub.refresh_from_db()
    assert sub.status == "accepted" and StatRow.objects.filter(submission=sub).count() == 300
    assert log.count("Task statistics.tasks.import_submission[") == 2  # received + succeeded, one task
