"""Benchmarks for the applications app (run by ``make bench``).

1. T8: the case officers' admin changelist on 1,000,000 applications: render time of the first
   page (unfiltered, and filtered by status) and the number of COUNT queries. Target: ≤ 300 ms,
   at most 1 COUNT query.
2. T5 (in part): the submit view (POST /ansok/skicka/: session, CSRF, validation, eligibility
   evaluation stored, reference number, snapshot, INSERT, history rows) under gunicorn sync
   (2 × cores + 1 workers), at 1 and 10 concurrent closed-loop clients, each submitting its own
   drafts. The receipt e-mail is enqueued (in-memory broker), not sent in the request. Target (performance-reliability.md T5 anchors): c=1 p50 ≤ 50 ms; c=10 p95 ≤ 150 ms.

Creates its own Postgres database (``omst_bench_applications``, on the server named by
DATABASE_URL or 127.0.0.1:5432), migrates it, fills it with INSERT … SELECT generate_series,
runs VACUUM ANALYZE, measures, and drops the database at the end (``--keep`` keeps it).

Usage: python bench/applications.py [N] [--keep]
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = int(next((a for a in sys.argv[1:] if a.isdigit()), 1_000_000))
KEEP = "--keep" in sys.argv
BENCH_DB = os.environ.get("BENCH_APPLICATIONS_DB", "omst_bench_applications")
CHANGELIST_RUNS = 30
SUBMITS_C1 = 100
SUBMITS_PER_CLIENT_C10 = 40


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url


def with_db(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def admin_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(with_db(server_url(), "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def setup_django():
    os.environ["DATABASE_URL"] = with_db(server_url(), BENCH_DB)
    os.environ["DJANGO_SETTINGS_MODULE"] = "omstallning.settings.test"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django

    django.setup()  # the test settings send mail to locmem; no template instrumentation here


def fill(n: int) -> float:
    from django.contrib.auth import get_user_model
    from django.db import connection

    User = get_user_model()
    users = [User(username=f"bench.applicant{i}", first_name="Bench", last_name=f"Sökande {i}") for i in range(1000)]
    User.objects.bulk_create(users, batch_size=1000)
    first_id = User.objects.filter(username="bench.applicant0").values_list("pk", flat=True).get()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO applications_application (
                reference, source_token, applicant_id, service, status, priority, situation,
                municipality, meeting_preference, preferred_language, employer_name, employer_org_number,
                submitted_at, due_at, granted_at, granted_service, snapshot, eligibility_input,
                eligibility_result, eligible, version)
            SELECT 'OOO-' || (2020 + g / 200000) || '-' || lpad((g %% 200000)::text, 6, '0'),
                   md5(g::text)::uuid, %(first)s + g %% 1000,
                   (ARRAY['radgivning','forstarkt_stod','vagledning','yttrande'])[1 + g %% 4],
                   st, 1 + (g %% 3 = 0)::int, 'uppsagd_arbetsbrist', 'Uppsala', 'digital', 'sv',
                   'Bench AB', '556036-0793',
                   now() - make_interval(mins => g), now() - make_interval(mins => g) + interval '14 days',
                   CASE WHEN st = 'granted' THEN now() END,
                   CASE WHEN st = 'granted' THEN 'radgivning' ELSE '' END,
                   '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, g %% 5 <> 0, 1
            FROM (SELECT g, (ARRAY['submitted','needs_completion','granted','refused','closed'])[1 + (g / 7) %% 5] AS st
                  FROM generate_series(1, %(n)s) AS g) AS s
            """,
            {"first": first_id, "n": n},
        )
        cursor.execute("SELECT setval(pg_get_serial_sequence('applications_application', 'id'), %s)", [n + 10])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO applications_referencecounter (year, last) VALUES (2026, 500000) "
            "ON CONFLICT (year) DO UPDATE SET last = 500000"
        )
    old_autocommit = connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE applications_application")
    connection.set_autocommit(old_autocommit)
    return time.monotonic() - started


def bench_changelist():
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from omstallning.accounts.roles import Role
    from tests.factories import UserFactory

    officer = UserFactory(username="bench.officer", role=Role.CASE_OFFICER)
    client = Client()
    client.force_login(officer)
    rows = []
    for label, query in [
        ("unfiltered", ""),
        ("status=needs_completion", "?status__exact=needs_completion"),
        ("search reference", "?q=OOO-2021-000123"),
    ]:
        url = "/admin/applications/application/" + query
        for _ in range(3):
            assert client.get(url).status_code == 200
        times = []
        for _ in range(CHANGELIST_RUNS):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts = sum("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
        rows.append((label, pct(times, 50), pct(times, 95), counts, len(ctx.captured_queries)))
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sessions_and_drafts(clients: int, per_client: int):
    """One logged-in session and `per_client` complete drafts per client (made directly)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from applications import services
    from applications.models import Draft
    from tests.applications.factories import ApplicantFactory, complete_data, employment_data

    out = []
    data = None
    for c in range(clients):
        user = ApplicantFactory(username=f"bench.submit{c}.{secrets.token_hex(3)}")
        if data is None:
            # one draft through the service, as the form saves it (the employment step also looks
            # the employer up in the registry), copied for every submit
            template = Draft.objects.create(applicant=user, service="radgivning", data=complete_data())
            services.draft_save_step(draft=template, step="employment", data=employment_data(), by=user)
            data = template.data
            template.delete()
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        drafts = Draft.objects.bulk_create(
            [Draft(applicant=user, service="radgivning", data=data) for _ in range(per_client)]
        )
        out.append((session.session_key, [str(d.token) for d in drafts], settings.SESSION_COOKIE_NAME))
    return out


def _client_loop(port, session_key, tokens, cookie_name, latencies, errors):
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and form field
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{cookie_name}={session_key}; csrftoken={csrf}",
    }
    for token in tokens:
        body = urlencode({"csrfmiddlewaretoken": csrf, "token": token, "confirm": "on"})
        t = time.perf_counter()
        conn.request("POST", "/ansok/skicka/", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - t) * 1000)
        if response.status != 302 or "/kvitto/" not in (response.getheader("Location") or ""):
            errors.append(response.status)
    conn.close()


def _workers_cpu(master_pid: int) -> dict[int, float]:
    """User + system CPU seconds of each gunicorn worker (psutil reads /proc)."""
    import psutil

    out = {}
    for child in psutil.Process(master_pid).children():
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        out[child.pid] = times.user + times.system
    return out


def bench_submit():
    workers = 2 * (os.cpu_count() or 1) + 1
    port = _free_port()
    env = dict(os.environ)
    # As in production, the receipt e-mail is a Celery task run by a worker, not in the request:
    # here it goes to the in-memory broker of each web process and is never run.
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    env.pop("REDIS_URL", None)
    log = open(ROOT / "var" / "bench-applications-gunicorn.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "omstallning.wsgi:application",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        results = []
        for clients, per_client in [(1, SUBMITS_C1), (10, SUBMITS_PER_CLIENT_C10)]:
            # warm every worker first
            warm = _sessions_and_drafts(1, workers * 2)
            _client_loop(port, warm[0][0], warm[0][1], warm[0][2], [], [])
            prepared = _sessions_and_drafts(clients, per_client)
            latencies, errors = [], []
            threads = [
                threading.Thread(target=_client_loop, args=(port, s, tokens, name, latencies, errors))
                for s, tokens, name in prepared
            ]
            cpu_before = _workers_cpu(proc.pid)
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
            cpu_after = _workers_cpu(proc.pid)
            cpu = sum(v - cpu_before.get(pid, 0.0) for pid, v in cpu_after.items())
            results.append(
                (
                    clients,
                    len(latencies),
                    pct(latencies, 50),
                    pct(latencies, 95),
                    pct(latencies, 99),
                    len(latencies) / elapsed,
                    len(errors),
                    1000 * cpu / max(1, len(latencies)),
                )
            )
        return workers, results
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def main() -> int:
    (ROOT / "var").mkdir(exist_ok=True)
    admin_exec(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    admin_exec(f'CREATE DATABASE "{BENCH_DB}"')
    try:
        setup_django()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        fill_s = fill(N)
        print(f"filled {N:,} applications in {fill_s:.1f} s (INSERT … SELECT generate_series, VACUUM ANALYZE)")
        rows = bench_changelist()
        print()
        print(f"T8 admin changelist on {N:,} applications ({CHANGELIST_RUNS} warm runs, in-process test client)")
        print(f"{'view':<26} {'p50 ms':>8} {'p95 ms':>8} {'COUNTs':>7} {'queries':>8}   target")
        for label, p50, p95, counts, queries in rows:
            print(f"{label:<26} {p50:8.1f} {p95:8.1f} {counts:7d} {queries:8d}   ≤ 300 ms, ≤ 1 COUNT")
        connection.close()
        workers, results = bench_submit()
        print()
        print(f"Submit view POST /ansok/skicka/ under gunicorn sync, {workers} workers, closed loop")
        print(
            f"{'clients':>7} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}"
            f" {'CPU ms/req':>10}   target"
        )
        targets = {1: "p50 ≤ 50 ms", 10: "p95 ≤ 150 ms"}
        for clients, count, p50, p95, p99, rps, errors, cpu in results:
            print(
                f"{clients:7d} {count:9d} {p50:8.1f} {p95:8.1f} {p99:8.1f} {rps:8.1f} {errors:7d} {cpu:10.1f}"
                f"   {targets[clients]}, 0 errors"
            )
        print("CPU ms/req: the gunicorn workers' CPU seconds (user + system) over the requests served")
        load1, load5, _ = os.getloadavg()
        print(f"machine load average at the end: {load1:.1f} (1 min), {load5:.1f} (5 min)")
    finally:
        from django.db import connections

        connections.close_all()
        if not KEEP:
            admin_exec(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
