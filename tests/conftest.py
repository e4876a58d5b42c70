"""Fixtures shared by every app's tests."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_report_header(config):
    if not Path(CHROMIUM).exists():
        return f"NOTICE: {CHROMIUM} is missing: browser tests are SKIPPED (apt-get install chromium)"
    return f"browser tests: Debian chromium at {CHROMIUM}"


def pytest_collection_modifyitems(config, items):
    _serialized_rollback_for_transactional_tests(items)
    skip_browser = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    skip_worker = pytest.mark.skip(reason="REDIS_URL is not set: tests with a real Celery worker need Redis")
    for item in items:
        if "browser" in item.keywords and not Path(CHROMIUM).exists():
            item.add_marker(skip_browser)
        if "celery_worker" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_worker)


def _serialized_rollback_for_transactional_tests(items):
    """Transactional tests (live server, real workers) end with a flush that also removes the rows
    that data migrations created (role groups, eligibility parameters, the inkomstbasbelopp
    table). Serialized rollback restores them before each such test, as in production."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        transactional = kwargs.get("transaction") or any(
            name in item.fixturenames for name in ("transactional_db", "live_server")
        )
        if transactional and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """After the test databases exist, keep their serialized initial data on the connection
    class, not only on the main thread's connection object: Playwright's sync API runs an event
    loop in the main thread, and while it runs Django hands out context-local connection objects,
    which would otherwise lack the data that serialized rollback restores."""
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploads go to a temporary folder per test."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def user_factory(db):
    from tests.factories import UserFactory

    return UserFactory


# --- browser tests (Playwright driving Debian's chromium; never a downloaded browser) -------
@pytest.fixture(scope="session")
def _playwright_browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_playwright_browser, live_server):
    """A fresh browser page; `live_server.url` is the portal served on a live test server."""
    context = _playwright_browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def browser_login(page, live_server, username, password):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:has-text('Logga in')")


# --- a real Celery worker on the real Redis (not eager) --------------------------------------
class CeleryWorker:
    """A `celery worker` subprocess against the test database; see `celery_worker_factory`."""

    def __init__(self, log_path, env):
        self.log_path = log_path
        celery_bin = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(
                [
                    celery_bin,
                    "-A",
                    "omstallning",
                    "worker",
                    "--loglevel=info",
                    "--concurrency=1",
                    "--pool=prefork",
                    "-Q",
                    env["CELERY_TEST_QUEUE"],
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self):
        return self.log_path.read_text()

    def wait_for(self, text, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            content = self.log()
            if text in content:
                return content
            if self.proc.poll() is not None:
                raise AssertionError(f"celery worker exited early:\n{content}")
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not seen in the worker log within {timeout}s:\n{self.log()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def celery_worker_factory(transactional_db, settings, tmp_path):
    """Starts real Celery workers (subprocesses) against the test database and a Redis broker.

    `start(broker_url=None)` uses REDIS_URL unless another broker is given, waits until the worker
    is ready and returns a CeleryWorker. While the fixture is active the project's Celery app
    does not run tasks eagerly. Tests using it must be marked `celery_worker` (skipped without
    REDIS_URL) and use committed data (transactional_db).
    """
    from django.db import connection

    from omstallning.celery import app

    db = connection.settings_dict
    workers = []
    previous_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False

    def start(broker_url=None):
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = "omstallning.settings.test"
        env["CELERY_TASK_ALWAYS_EAGER"] = "false"
        env["CELERY_TEST_QUEUE"] = settings.CELERY_TASK_DEFAULT_QUEUE
        if broker_url:
            env["REDIS_URL"] = broker_url
        if db["ENGINE"].endswith("postgresql"):
            host = db["HOST"] or "127.0.0.1"
            env["DATABASE_URL"] = f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
        worker = CeleryWorker(tmp_path / f"worker-{len(workers)}.log", env)
        workers.append(worker)
        worker.wait_for("ready.", timeout=60)
        return worker

    try:
        yield start
    finally:
        app.conf.task_always_eager = previous_eager
        for worker in workers:
            worker.stop()


@pytest.fixture
def celery_worker_process(celery_worker_factory):
    """One real worker on REDIS_URL; yields its `wait_for(text, timeout=30)`."""
    return celery_worker_factory().wait_for
