"""Benchmark: the advisors' "granted but unassigned" scan at 1,000,000 applications.

``advisors.selectors.granted_without_assignment_ids`` runs in every 15-minute sweep (step 1: assign
what a lost task left unassigned) and the compliance page shows how many granted applications have
no advisor. This bench creates its own Postgres database (``omst_bench_advisors_unassigned``),
migrates it, and fills ``applications_application`` and ``advisors_assignment`` by
``INSERT … SELECT generate_series``:

* N applications (default 1,000,000), one every minute: 2 % granted, 30 % closed after a grant
  (each with a closed assignment: the assignments table keeps the history), 50 % refused,
  12 % submitted, 6 % waiting for completion;
* 90 % of the granted ones have an assignment; the other 10 % (2,000 at 1M) have none.

Two layouts of the unassigned grants, each measured before and after:

* "spread": every 10th grant is unassigned (no supplier qualified, spread over time);
* "newest": the newest 10 % of the grants are unassigned (a worker outage): the oldest-first scan
  must pass every assigned grant before it finds the first unassigned one (the worst case).

"before" = the query as it was (``ORDER BY granted_at``; the page counted with
``len(granted_without_assignment_ids(limit=100000))``) without the partial index
``adv_app_granted_idx``; "after" = the selectors now (``ORDER BY granted_at, id`` LIMIT 200 and
one ``COUNT(*)``) with the index. Each variant: ORM wall time p50/p95 over RUNS runs, Postgres
execution time p95 (EXPLAIN ANALYZE, 30 runs), and the plan. Both versions must return the same
ids and the same count.

Usage: python bench/advisors_unassigned.py [N] [--keep]
Target: the sweep's query p95 ≤ 20 ms and the count p95 ≤ 50 ms at 1M applications, on an index
(no Seq Scan of either table).
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.deadline_sweep import (  # noqa: E402
    admin_exec,
    fill_defaults,
    percentile,
    seed_people,
    server_url,
    with_db,
)

N = int(next((a for a in sys.argv[1:] if a.isdigit()), 1_000_000))
KEEP = "--keep" in sys.argv
BENCH_DB = os.environ.get("BENCH_ADVISORS_UNASSIGNED_DB", "omst_bench_advisors_unassigned")
RUNS = int(os.environ.get("BENCH_RUNS", "100"))
PG_RUNS = 30
LIMIT = 200  # the sweep's batch_size
print = functools.partial(print, flush=True)  # noqa: A001

# i % 50: 0 granted; 1-15 closed after a grant; 16-40 refused; 41-46 submitted; 47-49 completion
# (%% because these go into a query with parameters)
STATUS_SQL = (
    "CASE WHEN i %% 50 = 0 THEN 'granted' WHEN i %% 50 <= 15 THEN 'closed' WHEN i %% 50 <= 40 THEN 'refused' "
    "WHEN i %% 50 <= 46 THEN 'submitted' ELSE 'needs_completion' END"
)
GRANTED_AT_SQL = f"CASE WHEN i %% 50 <= 15 THEN %(now)s - ({N} - i) * interval '1 minute' END"


def main() -> int:
    admin_exec(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    admin_exec(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = with_db(server_url(), BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omstallning.settings.test")
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Exists, OuterRef

    migration = importlib.import_module("advisors.migrations.0002_application_granted_idx")
    load_before = os.getloadavg()
    try:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        migrate_s = time.monotonic() - started

        from advisors import selectors
        from advisors.models import Assignment
        from applications.models import Application, Status

        started = time.monotonic()
        with connection.cursor() as cur:
            advisor_user, applicant, supplier, advisor = seed_people(cur)
            cur.execute("SELECT now()")
            now = cur.fetchone()[0]
            columns, values = fill_defaults(
                cur,
                "applications_application",
                {
                    "reference": "'U-' || lpad(i::text, 8, '0')",
                    "source_token": "md5(i::text)::uuid",
                    "applicant_id": str(applicant),
                    "service": "'radgivning'",
                    "status": STATUS_SQL,
                    "granted_at": GRANTED_AT_SQL,
                    "granted_service": "CASE WHEN i %% 50 <= 15 THEN 'radgivning' ELSE '' END",
                    "submitted_at": f"%(now)s - ({N} - i + 20000) * interval '1 minute'",
                },
            )
            cur.execute(
                f"INSERT INTO applications_application ({columns}) SELECT {values} FROM generate_series(1, {N}) AS i",
                {"now": now},
            )
            assignment_columns, assignment_values = fill_defaults(
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
                    "first_contact_at": "a.granted_at + interval '2 days'",
                    "overdue": "false",
                    "support_ends_on": "(a.granted_at + interval '12 months')::date",
                    "closed_on": "CASE WHEN a.status = 'closed' THEN (a.granted_at + interval '6 months')::date END",
                    "outcome": "CASE WHEN a.status = 'closed' THEN 'nytt_arbete' ELSE '' END",
                },
            )

            def insert_assignments(where: str) -> None:
                cur.execute(
                    f"INSERT INTO advisors_assignment ({assignment_columns}) SELECT {assignment_values} "
                    f"FROM applications_application a WHERE {where}"
                )

            # "spread": every 10th grant (in time order) stays unassigned
            cur.execute(
                "CREATE TEMP TABLE granted_rank AS SELECT id, row_number() OVER (ORDER BY granted_at, id) AS n, "
                "count(*) OVER () AS total FROM applications_application WHERE status = 'granted'"
            )
            insert_assignments(
                "a.status = 'closed' OR a.id IN (SELECT id FROM granted_rank WHERE n % 10 <> 0)",
            )
            load_s = time.monotonic() - started

            def analyze() -> None:
                cur.execute("VACUUM ANALYZE applications_application")
                cur.execute("VACUUM ANALYZE advisors_assignment")

            analyze()
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE status = 'granted'), "
                "pg_size_pretty(pg_relation_size('applications_application')) FROM applications_application"
            )
            total, granted, table_size = cur.fetchone()
            cur.execute("SELECT count(*) FROM advisors_assignment")
            (assignments,) = cur.fetchone()
            cur.execute("SELECT pg_size_pretty(pg_relation_size('adv_app_granted_idx'))")
            (index_size,) = cur.fetchone()

        def old_queryset():
            """The selector as it was before this change."""
            has_assignment = Assignment.objects.filter(application=OuterRef("pk"))
            return (
                Application.objects.filter(status=Status.GRANTED, granted_at__isnull=False)
                .exclude(Exists(has_assignment))
                .order_by("granted_at")
                .values_list("id", flat=True)
            )

        variants = {
            "before": {
                "ids": lambda: list(old_queryset()[:LIMIT]),
                "count": lambda: len(list(old_queryset()[:100000])),
                "ids_qs": lambda: old_queryset()[:LIMIT],
                "count_qs": lambda: old_queryset()[:100000],
            },
            "after": {
                "ids": lambda: selectors.granted_without_assignment_ids(limit=LIMIT),
                "count": selectors.granted_without_assignment_count,
                "ids_qs": lambda: (
                    selectors._granted_without_assignment()
                    .order_by("granted_at", "id")
                    .values_list("id", flat=True)[:LIMIT]
                ),
                "count_qs": None,  # .count() is not a queryset: EXPLAIN of the same COUNT(*) below
            },
        }

        def count_explain(analyze_timing: bool) -> str:
            sql, params = selectors._granted_without_assignment().order_by().values("pk").query.sql_with_params()
            with connection.cursor() as c:
                options = "ANALYZE, BUFFERS" if analyze_timing else "ANALYZE, TIMING OFF"
                c.execute(f"EXPLAIN ({options}) SELECT count(*) FROM ({sql}) AS q", params)
                return "\n".join(r[0] for r in c.fetchall())

        def pg_time(plan: str) -> float:
            return float(plan.rsplit("Execution Time:", 1)[1].split("ms")[0])

        results: dict[tuple[str, str], dict] = {}

        def measure(layout: str, name: str) -> None:
            v = variants[name]
            for what in ("ids", "count"):
                if what == "count" and v["count_qs"] is None:
                    plan = count_explain(True)
                    server = [pg_time(count_explain(False)) for _ in range(PG_RUNS)]
                else:
                    qs = v[f"{what}_qs"]()
                    plan = qs.explain(analyze=True, buffers=True)
                    server = [pg_time(v[f"{what}_qs"]().explain(analyze=True, timing=False)) for _ in range(PG_RUNS)]
                timings = []
                value = None
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    value = v[what]()
                    timings.append((time.perf_counter() - t0) * 1000)
                results[(layout, name, what)] = {"timings": timings, "server": server, "plan": plan, "value": value}

        def drop_index() -> None:
            with connection.cursor() as c:
                c.execute(f"DROP INDEX {migration.INDEX}")

        def create_index() -> None:
            with connection.cursor() as c:
                c.execute(f"CREATE INDEX {migration.INDEX} ON {migration.DEFINITION}")
                c.execute("VACUUM ANALYZE applications_application")

        print(
            f"loaded {total:,} applications ({granted:,} granted) and {assignments:,} assignments in {load_s:.1f} s; "
            f"measuring"
        )
        measure("spread", "after")  # the migration built the index
        drop_index()
        measure("spread", "before")

        # "newest": the newest 10 % of the grants are the unassigned ones
        with connection.cursor() as cur:
            cur.execute(
                "DELETE FROM advisors_assignment WHERE application_id IN "
                "(SELECT id FROM granted_rank WHERE n > total - total / 10)"
            )
            insert_assignments(
                "a.id IN (SELECT id FROM granted_rank WHERE n % 10 = 0 AND n <= total - total / 10)",
            )
            cur.execute("VACUUM ANALYZE advisors_assignment")
            cur.execute("SELECT count(*) FROM advisors_assignment")
            assert cur.fetchone()[0] == assignments
        measure("newest", "before")
        create_index()
        measure("newest", "after")
        load_after = os.getloadavg()

        print(
            f"\n{total:,} applications ({granted:,} granted, {granted - granted * 9 // 10:,} of them without an "
            f"assignment), {assignments:,} assignments; table {table_size}, adv_app_granted_idx {index_size}; "
            f"migrate {migrate_s:.1f} s, load {load_s:.1f} s"
        )
        print(
            f"ORM: {RUNS} runs each, LIMIT {LIMIT}; Postgres: EXPLAIN ANALYZE execution time, {PG_RUNS} runs; "
            f"load average {load_before[0]:.2f} at the start, {load_after[0]:.2f} at the end\n"
        )
        header = f"| {'layout':<7} | {'query':<36} | {'variant':<7} | {'ORM p50':>8} | {'ORM p95':>8} | {'PG p95':>8} | {'result':>6} |"
        print(header)
        print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|")
        labels = {"ids": f"sweep: ids, LIMIT {LIMIT}", "count": "page: count (before: len(ids[:100000]))"}
        for layout in ("spread", "newest"):
            for what in ("ids", "count"):
                for name in ("before", "after"):
                    r = results[(layout, name, what)]
                    shown = len(r["value"]) if what == "ids" else r["value"]
                    print(
                        f"| {layout:<7} | {labels[what]:<36} | {name:<7} | {percentile(r['timings'], 50):8.2f} | "
                        f"{percentile(r['timings'], 95):8.2f} | {percentile(r['server'], 95):8.2f} | {shown:>6} |"
                    )
        print()
        checks = []
        for layout in ("spread", "newest"):
            before_ids = results[(layout, "before", "ids")]["value"]
            after_ids = results[(layout, "after", "ids")]["value"]
            checks.append((f"{layout}: same ids before/after", before_ids == after_ids))
            checks.append(
                (
                    f"{layout}: same count before/after",
                    results[(layout, "before", "count")]["value"] == results[(layout, "after", "count")]["value"],
                )
            )
            for what in ("ids", "count"):
                plan = results[(layout, "after", what)]["plan"]
                on_index = migration.INDEX in plan and "Seq Scan" not in plan
                checks.append((f"{layout}: {what} plan on {migration.INDEX}, no Seq Scan", on_index))
            ids_p95 = percentile(results[(layout, "after", "ids")]["timings"], 95)
            count_p95 = percentile(results[(layout, "after", "count")]["timings"], 95)
            checks.append((f"{layout}: ids ORM p95 {ids_p95:.2f} ms ≤ 20 ms", ids_p95 <= 20))
            checks.append((f"{layout}: count ORM p95 {count_p95:.2f} ms ≤ 50 ms", count_p95 <= 50))
        for label, ok in checks:
            print(f"| {label:<60} | {'yes' if ok else 'NO':>3} |")
        for layout in ("spread", "newest"):
            for name in ("before", "after"):
                for what in ("ids", "count"):
                    print(
                        f"\nEXPLAIN (ANALYZE, BUFFERS) {layout} / {name} / {what}:\n"
                        + results[(layout, name, what)]["plan"]
                    )
    finally:
        from django.db import connections

        connections.close_all()
        if not KEEP:
            admin_exec(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
