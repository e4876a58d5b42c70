"""Redis restarted with SHUTDOWN NOSAVE while tasks are queued: with AOF (appendonly yes,
appendfsync everysec, as in docker-compose.yml) no task is lost; without it every task is lost,
which is why production runs Redis with AOF. Each test starts its own redis-server."""

import contextlib
import shutil
import socket
import subprocess
import time

import pytest
import redis

from omstallning.celery import app
from tests.faults.models import ProbeEffect
from tests.faults.tasks import probe

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]
TASKS = 40


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, directory, port, aof):
        self.args = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(directory),
            "--save",
            "",
            "--maxmemory-policy",
            "noeviction",
        ]
        self.args += ["--appendonly", "yes", "--appendfsync", "everysec"] if aof else ["--appendonly", "no"]
        self.client = redis.Redis(host="127.0.0.1", port=port)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if self.client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def crash(self):
        with contextlib.suppress(redis.ConnectionError):  # the server closes the connection
            self.client.shutdown(nosave=True)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.mark.parametrize(("aof", "expected_kept"), [(True, TASKS), (False, 0)])
def test_queued_tasks_survive_a_redis_restart_only_with_aof(
    celery_worker_factory, settings, tmp_path, aof, expected_kept
):
    port = free_port()
    server = RedisServer(tmp_path, port, aof)
    url = f"redis://127.0.0.1:{port}/0"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    server.start()
    try:
        with app.connection_for_write(url) as connection:
            for i in range(TASKS):
                probe.apply_async(args=[f"aof-{aof}-{i}"], connection=connection)
        assert server.client.llen(queue) == TASKS
        time.sleep(1.5)  # appendfsync everysec: at most one second is at risk
        server.crash()
        server.start()
        kept = server.client.llen(queue)
        assert kept == expected_kept

        if expected_kept:
            worker = celery_worker_factory(broker_url=url)
            deadline = time.monotonic() + 60
            while ProbeEffect.objects.filter(key__startswith=f"aof-{aof}-").count() < TASKS:
                assert time.monotonic() < deadline, worker.log()
                time.sleep(0.2)
            assert ProbeEffect.objects.filter(key__startswith=f"aof-{aof}-").count() == TASKS
    finally:
        server.stop()
