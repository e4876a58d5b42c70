"""The portal as its users meet it: gunicorn (sync workers, 2 x cores + 1) on the pytest test
database (Postgres), a real Celery worker on Redis, a mail sink the tests read, and Debian's
chromium through Playwright. Screenshots of each journey's key steps go to build/e2e/<journey>/.

Data: every e2e test is transactional (committed, so gunicorn and the worker see it; the marks
are `tests.e2e.journeys.E2E`); the rows that migrations create (roles, parameters) are restored
after the previous test's flush (see `_initial_data`). Create data through services or
`seed_demo`.
"""

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, CeleryWorker

BUILD = ROOT / "build" / "e2e"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "demo-losenord-2026"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    skip_db = pytest.mark.skip(reason="the e2e journeys need Postgres (DATABASE_URL) and Redis (REDIS_URL)")
    database_url = os.environ.get("DATABASE_URL", "")
    for item in items:
        if Path(item.fspath).is_relative_to(here) and (
            not database_url.startswith("postgres") or not os.environ.get("REDIS_URL")
        ):
            item.add_marker(skip_db)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Portal:
    """The served portal: `url`, the mail sink, and the logs of gunicorn and the worker."""

    def __init__(self, directory, env, workers):
        self.directory = directory
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mail_dir = Path(env["E2E_MAIL_DIR"])
        self.media_dir = Path(env["DJANGO_PRIVATE_MEDIA_ROOT"])
        self.gunicorn_log = directory / "gunicorn.log"
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        with open(self.gunicorn_log, "w") as log:
            self.proc = subprocess.Popen(
                [
                    gunicorn,
                    "omstallning.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(workers),
                    "--worker-class",
                    "sync",
                    "--timeout",
                    "60",
                    "--preload",  # import once, then fork: a faster start on a busy machine
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.worker = CeleryWorker(directory / "worker.log", env)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.gunicorn_log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/halsa/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"gunicorn did not answer within {timeout}s:\n{self.gunicorn_log.read_text()}")
        self.worker.wait_for("ready.", timeout=timeout)

    def stop(self):
        started = time.monotonic()
        if self.worker.proc.poll() is None:
            self.worker.proc.send_signal(signal.SIGQUIT)  # cold shutdown: nothing is running now
        self.worker.stop()
        print(f"e2e: worker stopped in {time.monotonic() - started:.1f}s", file=sys.stderr)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    # --- the mail sink (Django's file-based backend: one file per connection) ---------------
    def clear_mail(self):
        for path in self.mail_dir.glob("*"):
            path.unlink()

    def messages(self):
        """Every e-mail sent so far, as email.message.EmailMessage objects."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk.strip(), policy=email.policy.default))
        return found

    def wait_for_mail(self, to, timeout=30):
        """Waits until a message to `to` is in the sink and returns it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages():
                if to in str(message["To"]):
                    return message
            time.sleep(0.3)
        raise AssertionError(
            f"no e-mail to {to} within {timeout}s; sink holds {[str(m['To']) for m in self.messages()]}\n"
            f"worker log:\n{self.worker.log()[-4000:]}"
        )


@pytest.fixture(scope="session")
def portal(django_db_setup, django_db_blocker, tmp_path_factory):
    """Serves the portal with gunicorn and a Celery worker on the test database (session-wide)."""
    import redis as redis_lib
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    queue = settings.CELERY_TASK_DEFAULT_QUEUE  # CELERY_TEST_QUEUE, e.g. test-e2e
    directory = tmp_path_factory.mktemp("e2e")
    mail_dir = directory / "mail"
    media_dir = directory / "private"
    mail_dir.mkdir()
    media_dir.mkdir()
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.e2e.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TEST_QUEUE": queue,
            "EMAIL_URL": f"filemail:///{mail_dir}",  # an absolute path needs the fourth slash
            "E2E_MAIL_DIR": str(mail_dir),
            "DJANGO_PRIVATE_MEDIA_ROOT": str(media_dir),
            "DATABASE_POOL_MAX_SIZE": "4",
        }
    )
    # tasks queued by an earlier, interrupted run must not reach this run's worker
    redis_lib.Redis.from_url(os.environ["REDIS_URL"]).delete(queue)
    served = Portal(directory, env, workers=2 * (os.cpu_count() or 1) + 1)
    served.initial_data = _initial_data(django_db_blocker)
    try:
        served.wait_ready()
        yield served
    finally:
        served.stop()


def _initial_data(django_db_blocker):
    """The rows the migrations created (roles, parameters), serialized before any browser runs.

    Django keeps them for `serialized_rollback` on the connection object, but once Playwright's
    sync API runs, an event loop is current and asgiref hands out another connection object, so
    the e2e fixtures restore these rows themselves (in `e2e`)."""
    from django.contrib.auth.models import Group
    from django.db import connection

    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is None and Group.objects.exists():
            contents = connection.creation.serialize_db_to_string()
    return contents


@pytest.fixture
def e2e(portal, transactional_db, settings):
    """One journey's portal: mail sink emptied; this process enqueues to the worker too."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from omstallning.celery import app

    if not Group.objects.exists():  # flushed by the previous transactional test
        if portal.initial_data is None:
            pytest.fail(
                "the migrations' rows (roles) were flushed by an earlier transactional test before the e2e "
                "session started: run the e2e suite on its own (pytest tests/e2e)"
            )
        # the flush's post_migrate signal made new content types and permissions: replace them
        # by the serialized ones (their ids are referenced by the serialized rows)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE TABLE django_content_type, auth_permission CASCADE")
        connection.creation.deserialize_db_from_string(portal.initial_data)
    settings.PRIVATE_MEDIA_ROOT = portal.media_dir
    settings.MEDIA_ROOT = portal.media_dir
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    portal.clear_mail()
    yield portal
    app.conf.task_always_eager = previous


@pytest.fixture
def demo(e2e):
    """The demo users (one per role, `seed_demo`'s) and the registry's demo data (the registered
    organisations, Demo Omställningsorganisation with its reporter), committed. The other apps'
    demo data (months of statistics) is left out: it would cost every journey many seconds."""
    from omstallning.core.management.commands.seed_demo import seed_users
    from registry import demo as registry_demo

    seed_users()
    with open(os.devnull, "w") as devnull:
        registry_demo.seed(stdout=devnull)


# --- the browser --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _e2e_browser(portal):  # after `portal`: it reads the database before an event loop is current
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Shots:
    """Screenshots of one journey's key steps: build/e2e/<journey>/NN-step.png (one folder per
    journey file, emptied once per run; numbered across the file's tests)."""

    def __init__(self, folder, counter):
        self.folder = folder
        self.counter = counter

    def __call__(self, page, step):
        self.counter[0] += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.counter[0]:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="module")
def _shots_folder(request):
    folder = BUILD / Path(request.node.fspath).stem.removeprefix("test_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder, [0]


@pytest.fixture
def shots(_shots_folder):
    return Shots(*_shots_folder)


@pytest.fixture
def browser_page(_e2e_browser, e2e):
    """`browser_page(username=None, locale="sv-SE")`: a new page in its own context (its own
    cookies), logged in when a username is given. The CSP is bypassed only so that axe-core can
    be injected; the portal's own pages never need it."""
    contexts = []

    def open_page(username=None, password=DEMO_PASSWORD, locale="sv-SE"):
        context = _e2e_browser.new_context(locale=locale, bypass_csp=True, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if username:
            login(page, e2e.url, username, password)
        return page

    yield open_page
    for context in contexts:
        context.close()


def login(page, base_url, username, password=DEMO_PASSWORD):
    page.goto(f"{base_url}/konto/logga-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    if "/konto/logga-in/" in page.url:
        raise AssertionError(f"log-in as {username} failed: {page.locator('main').inner_text()[:500]}")


def axe_violations(page, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")):
    """Runs axe-core (from node_modules) on the page; returns its violations (WCAG 2.1 A/AA)."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (axe-core is pinned in package.json)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags)
    )
    return result["violations"]


def describe(violations):
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)
