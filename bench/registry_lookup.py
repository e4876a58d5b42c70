"""Benchmark of "Hitta omställningsorganisation" (issue 7): 500,000 affiliations in Postgres.

Loads 500,000 rows into the real `registry_employeraffiliation` table with COPY (400,000
employers; 100,000 of them moved from one organisation to another on 2025-01-01, so they have two
periods), ANALYZEs, then times `organisation_for_employer()` (the selector the other apps call:
validation, one prepared SQL statement on the psycopg connection, a small OrganisationRef) for
random employers and dates. For comparison, in the same run and interleaved with it call by call
(so both see the same load), the former implementation: `Organisation.objects.raw(SELECT o.* …)`
through Django's cursor, building a model instance. Prints wall time (p50/p95/p99), the client's
CPU time per lookup (time.process_time), the Postgres backend's CPU, the round-trip floor
(SELECT 1), the server's own execution time and the plan. Target: p95 ≤ 5 ms, an index scan.

Usage: python bench/registry_lookup.py [N_AFFILIATIONS] [N_LOOKUPS]
       BENCH_KEEP_DB=1 keeps the loaded database for the next run (the load takes minutes).
"""

import datetime
import os
import random
import sys
import time

from _registry_setup import backend_cpu_seconds, bench_database, copy_affiliations, orgnr, table

import statistics as stats

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
LOOKUPS = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
SWITCH = datetime.date(2025, 1, 1)

# the implementation before the lean path (commit 948894d), kept here only to compare
LEGACY_SQL = """
SELECT o.*
FROM registry_employeraffiliation a
JOIN registry_organisation o ON o.id = a.organisation_id
WHERE a.employer_org_number = %s
  AND a.valid_from <= %s
  AND (a.valid_to IS NULL OR a.valid_to >= %s)
  AND EXISTS (
    SELECT 1 FROM registry_registrationperiod p
    WHERE p.organisation_id = a.organisation_id
      AND p.registered_from <= %s
      AND (p.deregistered_on IS NULL OR p.deregistered_on > %s)
  )
LIMIT 1
"""


def pct(sorted_values, p):
    return sorted_values[max(0, int(len(sorted_values) * p) - 1)]


def fmt(value):
    return "n/a" if value is None else f"{value:.3f}"


def load(connection):
    from registry.models import EmployerAffiliation, Organisation, RegistrationPeriod

    if EmployerAffiliation.objects.count() == N and Organisation.objects.count() == 8:
        return 0.0, False  # kept from an earlier run (BENCH_KEEP_DB=1)
    EmployerAffiliation.objects.all().delete()
    RegistrationPeriod.objects.all().delete()
    Organisation.objects.all().delete()
    orgs = [Organisation.objects.create(name=f"Bench-organisation {i}") for i in range(8)]
    for org in orgs:
        RegistrationPeriod.objects.create(organisation=org, registered_from=datetime.date(2022, 12, 31))
    movers = N // 5
    employers = N - movers
    started = time.perf_counter()

    def rows():
        for i in range(employers):
            org = orgs[i % len(orgs)].pk
            if i < movers:
                yield (
                    org,
                    orgnr(i),
                    f"Arbetsgivare {i}",
                    datetime.date(2022, 10, 1),
                    SWITCH - datetime.timedelta(days=1),
                )
                yield (orgs[(i + 1) % len(orgs)].pk, orgnr(i), f"Arbetsgivare {i}", SWITCH, None)
            else:
                yield (org, orgnr(i), f"Arbetsgivare {i}", datetime.date(2022, 10, 1), None)

    copy_affiliations(connection, rows())
    return time.perf_counter() - started, True


def main():
    with bench_database("lookup") as connection:
        from omstallning.core.identity import normalize_orgnr
        from registry.models import EmployerAffiliation, Organisation
        from registry.selectors import LOOKUP_SQL, lookup_params, organisation_for_employer

        def legacy(org_number, on_date):
            normalized = normalize_orgnr(org_number)
            found = list(Organisation.objects.raw(LEGACY_SQL, [normalized, on_date, on_date, on_date, on_date]))
            return found[0] if found else None

        load_s, loaded = load(connection)
        count = EmployerAffiliation.objects.count()
        movers = N // 5
        employers = N - movers

        rng = random.Random(7)
        queries = []
        for _ in range(LOOKUPS):
            # 90 % affiliated employers, 10 % unknown (answered by the same index: no row)
            i = rng.randrange(employers) if rng.random() < 0.9 else employers + rng.randrange(1_000_000)
            day = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(1200))
            queries.append((orgnr(i), day))
        for number, day in queries[:200]:  # warm-up (and the statement is prepared)
            organisation_for_employer(org_number=number, on_date=day)
            legacy(number, day)
        # the answers agree
        for number, day in queries[:500]:
            new, old = organisation_for_employer(org_number=number, on_date=day), legacy(number, day)
            assert (new.pk if new else None) == (old.pk if old else None), (number, day)

        lean, former = [], []
        lean_cpu = former_cpu = 0.0
        found = 0
        load_before = os.getloadavg()[0]
        for k, (number, day) in enumerate(queries):
            # alternate which one goes first, so that both see the same load
            for which in (0, 1) if k % 2 == 0 else (1, 0):
                c0, t0 = time.process_time(), time.perf_counter()
                if which == 0:
                    result = organisation_for_employer(org_number=number, on_date=day)
                else:
                    result = legacy(number, day)
                elapsed = (time.perf_counter() - t0) * 1000
                cpu = time.process_time() - c0
                if which == 0:
                    lean.append(elapsed)
                    lean_cpu += cpu
                    found += result is not None
                else:
                    former.append(elapsed)
                    former_cpu += cpu
        # the Postgres backend's CPU (from /proc, 10 ms ticks): one block of each, not interleaved
        backend = {}
        for name, call in (
            ("lean", lambda n, d: organisation_for_employer(org_number=n, on_date=d)),
            ("former", legacy),
        ):
            b0 = backend_cpu_seconds(connection)
            for number, day in queries:
                call(number, day)
            b1 = backend_cpu_seconds(connection)
            backend[name] = None if b0 is None or b1 is None else (b1 - b0) / LOOKUPS * 1000
        load_after = os.getloadavg()[0]
        # the floor of any round trip on this box right now: SELECT 1 on the same connection
        floor = []
        with connection.cursor() as cursor:
            for _ in range(2000):
                t0 = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                floor.append((time.perf_counter() - t0) * 1000)
        floor.sort()
        # the server's own execution time (EXPLAIN ANALYZE)
        server = []
        with connection.cursor() as cursor:
            for number, day in queries[:500]:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + LOOKUP_SQL, lookup_params(number, day))
                server.append(cursor.fetchone()[0][0]["Execution Time"])
            cursor.execute(
                "EXPLAIN ANALYZE " + LOOKUP_SQL, lookup_params(orgnr(movers - 1), datetime.date(2025, 6, 1))
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        server.sort()
        lean.sort()
        former.sort()
        index_scan = "Index Scan" in plan or "Index Only Scan" in plan or "Bitmap Index Scan" in plan
        no_seq_scan = "Seq Scan on registry_employeraffiliation" not in plan

        how = (
            f"COPY, exclusion constraint re-validated, ANALYZE: {load_s:.1f} s"
            if loaded
            else "kept from an earlier run"
        )
        print(f"affiliations in registry_employeraffiliation: {count:,} ({how})")
        print(f"lookups: {LOOKUPS:,} each way, interleaved ({found:,} found an organisation)")
        print(
            f"load average (1 min) while measuring: {load_before:.2f} at the start, {load_after:.2f} at the end, "
            f"on {os.cpu_count()} CPUs\n"
        )
        table(
            [
                ("lookup p50 (ms)", f"{stats.median(lean):.2f}", "", ""),
                ("lookup p95 (ms)", f"{pct(lean, 0.95):.2f}", "≤ 5", "OK" if pct(lean, 0.95) <= 5 else "MISS"),
                ("lookup p99 (ms)", f"{pct(lean, 0.99):.2f}", "", ""),
                ("lookup client CPU per call (ms, process_time)", f"{lean_cpu / LOOKUPS * 1000:.3f}", "", ""),
                ("lookup Postgres backend CPU per call (ms)", fmt(backend["lean"]), "", ""),
                ("former (ORM raw, o.*) p50 (ms)", f"{stats.median(former):.2f}", "", ""),
                ("former p95 (ms)", f"{pct(former, 0.95):.2f}", "", ""),
                ("former p99 (ms)", f"{pct(former, 0.99):.2f}", "", ""),
                ("former client CPU per call (ms, process_time)", f"{former_cpu / LOOKUPS * 1000:.3f}", "", ""),
                ("former Postgres backend CPU per call (ms)", fmt(backend["former"]), "", ""),
                ("SELECT 1 round trip p50 (ms, the box's floor)", f"{stats.median(floor):.2f}", "", ""),
                ("SELECT 1 round trip p95 (ms)", f"{pct(floor, 0.95):.2f}", "", ""),
                ("server execution time p95 (ms, EXPLAIN ANALYZE)", f"{pct(server, 0.95):.3f}", "", ""),
                (
                    "EXPLAIN: index scan on the affiliation table",
                    "yes" if index_scan and no_seq_scan else "NO",
                    "yes",
                    "OK" if index_scan and no_seq_scan else "MISS",
                ),
            ]
        )
        print("\nEXPLAIN ANALYZE:\n" + plan)


if __name__ == "__main__":
    main()
