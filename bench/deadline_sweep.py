"""Benchmark T6: the contact-deadline sweep over 1,000,000 granted cases (run by ``make bench``).

Creates its own Postgres database (``omst_bench_advisors`` by default, on the server named by
DATABASE_URL or 127.0.0.1:5432), migrates it with ``call_command("migrate")``, fills the real
tables ``applications_application`` and ``advisors_assignment`` with 1,000,000 granted cases by
``INSERT … SELECT generate_series`` (about 1,000 of them open without a first contact), runs
``VACUUM ANALYZE``, then measures the sweep's ORM query (``advisors.selectors.sweep_candidates``):

* with the partial index ``adv_assign_sweep_idx`` (EXPLAIN must show an index scan on it);
* the same query after ``DROP INDEX adv_assign_sweep_idx`` (the plain b-tree on
  ``contact_deadline`` remains);
* the same query with no index on ``contact_deadline`` at all (sequential scan);

and finally runs the whole sweep service twice in the same minute to count duplicate
notifications (must be 0). The database is dropped at the end (``--keep`` keeps it).

Usage: python bench/deadline_sweep.py [N] [--keep]
Targets: p95 ≤ 20 ms with the index, ≥ 5× faster than without it, 0 duplicates.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = int(next((a for a in sys.argv[1:] if a.isdigit()), 1_000_000))
KEEP = "--keep" in sys.argv
BENCH_DB = os.environ.get("BENCH_ADVISORS_DB", "omst_bench_advisors")
RUNS = 200
print = functools.partial(print, flush=True)  # noqa: A001


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url


def with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def admin_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(with_db(server_url(), "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def fill_defaults(cursor, table: str, given: dict[str, str]) -> tuple[str, str]:
    """Column list and SELECT expressions: ours, plus a neutral value for every other NOT NULL
    column without a default (so the bench survives new columns in the applications table)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    neutral = {
        "character varying": "''",
        "text": "''",
        "integer": "0",
        "smallint": "0",
        "bigint": "0",
        "boolean": "false",
        "jsonb": "'{}'::jsonb",
        "timestamp with time zone": "now()",
        "date": "current_date",
        "uuid": "gen_random_uuid()",
        "numeric": "0",
    }
    columns = dict(given)
    for name, data_type in cursor.fetchall():
        if name not in columns and name != "id":
            columns[name] = neutral.get(data_type, "DEFAULT")
    return ", ".join(columns), ", ".join(columns.values())


def seed_people(cur) -> tuple[int, int, int, int]:
    """The bench's two users (an advisor and an applicant), a supplier and its advisor, written
    with plain SQL: (advisor's user id, applicant's user id, supplier id, advisor id)."""
    for username in ("bench.radgivare", "bench.sokande"):
        columns, values = fill_defaults(
            cur,
            "accounts_user",
            {
                "username": f"'{username}'",
                "email": f"'{username}@example.org'",
                "password": "'!'",
                "is_active": "true",
                "date_joined": "now()",
            },
        )
        cur.execute(f"INSERT INTO accounts_user ({columns}) SELECT {values}")
    cur.execute(
        "SELECT id FROM accounts_user WHERE username IN ('bench.sokande', 'bench.radgivare') ORDER BY username"
    )
    advisor_user, applicant = [r[0] for r in cur.fetchall()]
    cur.execute(
        "INSERT INTO advisors_supplier (name, organisation_number, rank, capacity, services, languages, "
        "national_digital, active) VALUES ('Bench AB', '', 1, 2000000, "
        '\'["radgivning", "vagledning"]\', \'["sv"]\', true, true) RETURNING id'
    )
    supplier = cur.fetchone()[0]
    cur.execute(
        "INSERT INTO advisors_advisor (user_id, supplier_id, forstarkt_stod, languages, active) "
        "VALUES (%s, %s, true, '[\"sv\"]', true) RETURNING id",
        [advisor_user, supplier],
    )
    advisor = cur.fetchone()[0]
    return advisor_user, applicant, supplier, advisor


def main() -> int:
    admin_exec(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    admin_exec(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = with_db(server_url(), BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omstallning.settings.test")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from datetime import timedelta

    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # locmem mail: the sweep's e-mails are counted, not printed
    try:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        migrate_s = time.monotonic() - started

        from advisors import selectors, services
        from advisors.models import Notification
        from applications.models import Application

        started = time.monotonic()
        with connection.cursor() as cur:
            advisor_user, applicant, supplier, advisor = seed_people(cur)
            # Grants one minute apart, ending "now"; every 20th of the last 20,000 is still
            # waiting for its first contact (about 1,000 open cases), all others were contacted.
            cur.execute("SELECT now()")
            now = cur.fetchone()[0]
            columns, values = fill_defaults(
                cur,
                "applications_application",
                {
                    "reference": "'B-' || lpad(i::text, 8, '0')",
                    "source_token": "md5(i::text)::uuid",
                    "applicant_id": str(applicant),
                    "service": "'radgivning'",
                    "status": "'granted'",
                    "granted_at": f"%(now)s - ({N} - i) * interval '1 minute'",
                    "granted_service": "'radgivning'",
                    "submitted_at": f"%(now)s - ({N} - i + 20000) * interval '1 minute'",
                },
            )
            cur.execute(
                f"INSERT INTO applications_application ({columns}) SELECT {values} FROM generate_series(1, {N}) AS i",
                {"now": now},
            )
            columns, values = fill_defaults(
                cur,
                "advisors_assignment",
                {
                    "application_id": "a.id",
                    "supplier_id": str(supplier),
                    "advisor_id": str(advisor),
                    "service": "'radgivning'",
                    "granted_at": "a.granted_at",
                    "assigned_at": "a.granted_at",
                    "contact_deadline": "a.granted_at + interval '7 days'",
                    "first_contact_at": (
                        "CASE WHEN a.granted_at > %(now)s - interval '20000 minutes' "
                        "AND a.id %% 20 = 0 THEN NULL ELSE a.granted_at + interval '2 days' END"
                    ),
                    "overdue": "false",
                    "support_ends_on": "(a.granted_at + interval '12 months')::date",
                    "closed_on": "CASE WHEN a.granted_at < %(now)s - interval '11 months' THEN "
                    "(a.granted_at + interval '6 months')::date ELSE NULL END",
                    "outcome": "CASE WHEN a.granted_at < %(now)s - interval '11 months' THEN 'nytt_arbete' ELSE '' END",
                },
            )
            cur.execute(
                f"INSERT INTO advisors_assignment ({columns}) SELECT {values} FROM applications_application a",
                {"now": now},
            )
            load_s = time.monotonic() - started
            cur.execute("VACUUM ANALYZE applications_application")
            cur.execute("VACUUM ANALYZE advisors_assignment")
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE first_contact_at IS NULL AND NOT overdue "
                "AND closed_on IS NULL) FROM advisors_assignment"
            )
            total, open_rows = cur.fetchone()
            cur.execute(
                "SELECT pg_size_pretty(pg_relation_size('adv_assign_sweep_idx')), "
                "pg_size_pretty(pg_relation_size('advisors_assignment'))"
            )
            index_size, table_size = cur.fetchone()

        server_side: dict[str, list[float]] = {}

        def measure(label: str) -> tuple[list[float], int, str]:
            qs = selectors.sweep_candidates(now=now, limit=200)
            plan = qs.values_list("id", flat=True).explain(analyze=True)
            # Postgres' own execution time (EXPLAIN ANALYZE), separate from Python and the ORM.
            server_side[label] = [
                float(
                    qs.values_list("id", flat=True)
                    .explain(analyze=True, timing=False)
                    .rsplit("Execution Time:", 1)[1]
                    .split("ms")[0]
                )
                for _ in range(30)
            ]
            timings = []
            found = 0
            for _ in range(RUNS):
                t0 = time.perf_counter()
                found = len(list(selectors.sweep_candidates(now=now, limit=200).values_list("id", flat=True)))
                timings.append((time.perf_counter() - t0) * 1000)
            return timings, found, plan

        print(f"loaded {N:,} cases in {load_s:.1f} s; measuring the sweep query")
        with_index, found, plan_with = measure("with")
        with connection.cursor() as cur:
            cur.execute("DROP INDEX adv_assign_sweep_idx")
        without_partial, found2, plan_without = measure("dropped")
        with connection.cursor() as cur:
            cur.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'advisors_assignment' "
                "AND indexdef LIKE '%(contact_deadline)%'"
            )
            for (name,) in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
        no_index, found3, plan_none = measure("none")

        # The whole sweep twice within the same minute: no duplicate notifications.
        with connection.cursor() as cur:
            cur.execute(
                "CREATE INDEX adv_assign_sweep_idx ON advisors_assignment (contact_deadline) "
                "WHERE first_contact_at IS NULL AND NOT overdue AND closed_on IS NULL"
            )
        mail.outbox = []
        t0 = time.perf_counter()
        first = services.sweep_contact_deadlines(now=now, batch_size=2000)
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = services.sweep_contact_deadlines(now=now + timedelta(seconds=30), batch_size=2000)
        second_s = time.perf_counter() - t0
        duplicates = (
            Notification.objects.values("assignment", "kind", "sequence").order_by().distinct().count()
            != Notification.objects.count()
        )
        t0 = time.perf_counter()
        unassigned = selectors.granted_without_assignment_ids(limit=200)
        unassigned_ms = (time.perf_counter() - t0) * 1000
        assert Application.objects.count() == N

        def line(label, timings, key):
            server = percentile(server_side[key], 95)
            return (
                f"| {label:<53} | {percentile(timings, 50):8.2f} | {percentile(timings, 95):8.2f} | {server:12.2f} |"
            )

        p95_with = percentile(with_index, 95)
        p95_without = percentile(without_partial, 95)
        p95_none = percentile(no_index, 95)
        uses_index = "adv_assign_sweep_idx" in plan_with and "Index" in plan_with
        print(
            f"\nDeadline sweep over {total:,} granted cases ({open_rows:,} open without a first contact); "
            f"migrate {migrate_s:.1f} s, load {load_s:.1f} s; table {table_size}, partial index {index_size}"
        )
        print(f"Sweep query: {RUNS} runs each through the ORM, LIMIT 200; rows returned {found}/{found2}/{found3}\n")
        print(
            f"| {'variant (ORM p50/p95; Postgres execution p95)':<53} | {'p50 ms':>8} | {'p95 ms':>8} | {'PG p95 ms':>12} |"
        )
        print(f"|{'-' * 55}|{'-' * 10}|{'-' * 10}|{'-' * 14}|")
        print(line("partial index adv_assign_sweep_idx", with_index, "with"))
        print(line("partial index dropped (other indexes left)", without_partial, "dropped"))
        print(line("no index on contact_deadline", no_index, "none"))
        print()
        print(f"| {'measure':<40} | {'measured':>22} | {'target':>10} | {'ok':>3} |")
        print(f"|{'-' * 42}|{'-' * 24}|{'-' * 12}|{'-' * 5}|")
        rows = [
            ("p95 with the partial index", f"{p95_with:.2f} ms", "≤ 20 ms", p95_with <= 20),
            ("EXPLAIN: index scan on the partial index", "yes" if uses_index else "NO", "yes", uses_index),
            ("gain vs partial index dropped", f"{p95_without / p95_with:.1f}×", "≥ 5×", p95_without / p95_with >= 5),
            (
                "gain in Postgres execution (p95)",
                f"{percentile(server_side['dropped'], 95) / percentile(server_side['with'], 95):.0f}×",
                "≥ 5×",
                percentile(server_side["dropped"], 95) / percentile(server_side["with"], 95) >= 5,
            ),
            ("gain vs no index at all", f"{p95_none / p95_with:.1f}×", "≥ 5×", p95_none / p95_with >= 5),
            ("duplicate notifications, 2 sweeps", "0" if not duplicates else "SOME", "0", not duplicates),
        ]
        for label, measured, target, ok in rows:
            print(f"| {label:<40} | {measured:>22} | {target:>10} | {'yes' if ok else 'NO':>3} |")
        print(
            f"\nWhole sweep service: 1st run {first_s:.2f} s ({first.reminders} reminders, {first.overdue} overdue, "
            f"{first.delivered} e-mails decided+sent), 2nd run {second_s:.2f} s ({second.reminders} reminders, "
            f"{second.overdue} overdue); e-mails {len(mail.outbox)}; "
            f"unassigned-grants query {unassigned_ms:.1f} ms ({len(unassigned)} found)"
        )
        print("\nEXPLAIN ANALYZE with the partial index:\n" + plan_with)
        print("\nEXPLAIN ANALYZE, partial index dropped:\n" + plan_without)
        print("\nEXPLAIN ANALYZE, no index:\n" + plan_none)
    finally:
        from django.db import connections

        connections.close_all()
        if not KEEP:
            admin_exec(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
