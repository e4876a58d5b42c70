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
    skip_browser = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    skip_worker = pytest.mark.skip(reason="REDIS_URL is not set: tests with a real Celery worker need Redis")
    for item in items:
        if "browser" in item.keywords and not Path(CHROMIUM).exists():
            item.add_marker(skip_browser)
        if "celery_worker" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_worker)


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
@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """Starts `celery worker` in a subprocess against the test database and the real Redis.

    Yields a function that waits until a line appears in the worker's log. Tests using it must be
    marked `celery_worker` (skipped without REDIS_URL) and use committed data (transactional_db).
    """
    from django.db import connection

    from omstallning.celery import app

    db = connection.settings_dict
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "omstallning.settings.test"
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    log_path = Path(settings.PRIVATE_MEDIA_ROOT).parent / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    celery_bin = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                celery_bin,
                "-A",
                "omstallning",
                "worker",
                "--loglevel=info",
                "--concurrency=1",
                "--pool=prefork",
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    previous_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False

    def wait_for(text, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            content = log_path.read_text()
            if text in content:
                return content
            if proc.poll() is not None:
                raise AssertionError(f"celery worker exited early:\n{content}")
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not seen in the worker log within {timeout}s:\n{log_path.read_text()}")

    try:
        wait_for("ready.", timeout=60)
        yield wait_for
    finally:
        app.conf.task_always_eager = previous_eager
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
