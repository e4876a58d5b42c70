"""A real Celery worker renders the approved yttrande after the commit, once."""

import hashlib
import shutil
import time

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from applications.yttrande import services
from applications.yttrande.tasks import render_yttrande_document
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import ASSESSMENT, YttrandeCaseFactory

pytestmark = [pytest.mark.celery_worker]


def wait_for_renders(worker, count, timeout=60):
    """Waits until the worker's log shows `count` finished render tasks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = worker("ready.")  # returns the whole log so far
        done = [line for line in log.splitlines() if "render_yttrande_document[" in line and "succeeded" in line]
        if len(done) >= count:
            return log
        time.sleep(0.2)
    raise AssertionError(f"{count} render tasks did not finish in {timeout}s:\n{log}")


def test_the_worker_renders_the_document_once(celery_worker_process, settings):
    # The worker runs the test settings, whose private media folder is var/test-private.
    settings.PRIVATE_MEDIA_ROOT = django_settings.BASE_DIR / "var" / "test-private"
    case = YttrandeCaseFactory()
    services.assessment_record(case=case, by=case.advisor.user, **ASSESSMENT)
    officer = UserFactory(role=Role.CASE_OFFICER)
    try:
        with transaction.atomic():
            document = services.case_approve(case=case, by=officer)
        wait_for_renders(celery_worker_process, 1)
        document.refresh_from_db()
        assert document.is_rendered
        data = services.document_path(document).read_bytes()
        assert hashlib.sha256(data).hexdigest() == document.sha256

        # Enqueued again (e.g. a redelivery): nothing is rendered again.
        rendered_at = document.rendered_at
        with transaction.atomic():
            render_yttrande_document.delay_on_commit(document.pk)
        wait_for_renders(celery_worker_process, 2)
        document.refresh_from_db()
        assert document.rendered_at == rendered_at
        assert services.document_path(document).read_bytes() == data
    finally:
        shutil.rmtree(settings.PRIVATE_MEDIA_ROOT / "yttranden" / str(case.pk), ignore_errors=True)
