"""Shared set-up for the registry benchmarks: Django on a throwaway Postgres test database.

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/omst_registry_bench) names the server;
the benchmark creates and drops `test_<name>` on it, so the real database is never touched.
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/omst_registry_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "omstallning.settings.test"


def luhn_digit(nine: str) -> str:
    total = 0
    for pos, ch in enumerate(reversed(nine)):
        d = int(ch)
        if pos % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def orgnr(i: int) -> str:
    """The i-th synthetic organisationsnummer (valid Luhn), NNNNNN-NNNN."""
    nine = f"55{i:07d}"
    ten = nine + luhn_digit(nine)
    return f"{ten[:6]}-{ten[6:]}"


@contextmanager
def bench_database(name: str, *, keep: bool | None = None):
    """A throwaway test database `test_<db>_<name>`. With keep (or BENCH_KEEP_DB=1) it is reused
    if it exists and left in place afterwards, so a benchmark can skip its load on the next run."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    keep = os.environ.get("BENCH_KEEP_DB") == "1" if keep is None else keep
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"test_{old_name}_{name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=keep)
    try:
        yield connection
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def table(rows: list[tuple[str, str, str, str]]) -> None:
    print(f"{'measure':<52} {'measured':>14} {'target':>12} {'':>5}")
    for name, measured, target, ok in rows:
        print(f"{name:<52} {measured:>14} {target:>12} {ok:>5}")


def copy_affiliations(connection, rows) -> None:
    """COPY (organisation_id, orgnr, name, valid_from, valid_to) rows into the real affiliation table.

    The exclusion constraint (migration 0003) is dropped for the load and added again afterwards,
    so Postgres builds its GiST index in bulk and validates every row once, as a bulk import would.
    """
    from importlib import import_module

    migration = import_module("registry.migrations.0003_affiliation_exclusion_constraint")
    with connection.cursor() as cursor:
        for sql in migration.DROP:
            cursor.execute(sql)
        sql = (
            "COPY registry_employeraffiliation "
            "(organisation_id, employer_org_number, employer_name, valid_from, valid_to) FROM STDIN"
        )
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(migration.CREATE[1])
        cursor.execute("ANALYZE registry_employeraffiliation")


def backend_cpu_seconds(connection) -> float | None:
    """CPU time used so far by this connection's Postgres backend (same host only, via /proc)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
