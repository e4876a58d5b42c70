"""Redis (with AOF, as in docker-compose.yml) restarted with SHUTDOWN NOSAVE while the advisors'
deadline sweep is queued: the sweeps survive the restart, run on a real worker, and each due
reminder is decided once and sent exactly once, even though the sweep runs three times."""

import re
import shutil
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from advisors import services
from advisors.models import Notification
from advisors.tasks import sweep_contact_deadlines
from omstallning.celery import app
from tests.advisors.factories import AdvisorFactory, ApplicationFactory, SupplierFactory
from tests.faults.test_redis_restart import RedisServer, free_port

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]
CASES = 6
SENT = re.compile(r"advisors: notification (\d+) \(reminder\) sent to (\d+)")


def test_each_reminder_is_sent_once_across_a_redis_restart(celery_worker_factory, settings, tmp_path):
    # six open cases granted six days ago: the contact deadline is tomorrow, the reminder is due
    app.conf.task_always_eager = True  # the set-up's own notifications run here, not on the broker
    supplier = SupplierFactory(rank=1, national_digital=True)
    advisor = AdvisorFactory(supplier=supplier)
    granted = timezone.now() - timedelta(days=6)
    assignments = []
    for _ in range(CASES):
        application = ApplicationFactory(granted_at=granted, meeting_preference="digital")
        assignments.append(services.assignment_create_for_application(application_id=application.pk))
    app.conf.task_always_eager = False
    assert all(a is not None and a.advisor_id == advisor.pk for a in assignments)
    assert not Notification.objects.filter(kind="reminder").exists()

    port = free_port()
    server = RedisServer(tmp_path, port, aof=True)
    url = f"redis://127.0.0.1:{port}/0"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    server.start()
    try:
        # beat queued the sweep twice (two 15-minute ticks) before Redis went down
        with app.connection_for_write(url) as connection:
            for _ in range(2):
                sweep_contact_deadlines.apply_async(connection=connection)
        assert server.client.llen(queue) == 2
        time.sleep(1.5)  # appendfsync everysec
        server.crash()
        server.start()
        assert server.client.llen(queue) == 2  # nothing lost

        worker = celery_worker_factory(broker_url=url)
        with app.connection_for_write(url) as connection:  # and the next tick after the restart
            sweep_contact_deadlines.apply_async(connection=connection)
        deadline = time.monotonic() + 90
        while worker.log().count("advisors.tasks.sweep_contact_deadlines[") < 6:  # received + succeeded, x3
            assert time.monotonic() < deadline, worker.log()
            time.sleep(0.3)
        log = worker.log()
    finally:
        server.stop()

    assert log.count("succeeded") >= 3, log
    reminders = Notification.objects.filter(kind="reminder")
    assert reminders.count() == CASES  # decided once per case
    assert set(reminders.values_list("assignment_id", flat=True)) == {a.pk for a in assignments}
    assert all(n.sent_at is not None and n.recipients == 1 for n in reminders)
    sends = [int(n) for n, _r in SENT.findall(log)]
    assert sorted(sends) == sorted(reminders.values_list("pk", flat=True))  # each sent exactly once
