"""Load on the portal as served in production: gunicorn (2 x cores + 1 sync workers) on Postgres
with the psycopg pool and Redis, load from locust on loopback (the same machine).

Scenarios (targets from issue 10 / performance-reliability.md T-load):
- open loop: 50 applicants with 1-3 s think time, each round = the public pre-check (page + check)
  and the whole application (new draft, three steps, review, submit). Target p95 <= 50 ms, 0 errors.
- saturation: applicants submitting complete drafts back to back (the submit step: checks the
  draft, runs the eligibility engine, writes the application, its event and history, enqueues the
  receipt). Target >= 300 requests/s, 0 errors.

The bench creates its own database (omst_bench_load, dropped and re-created), migrates and seeds
it. Usage: .venv/bin/python bench/load.py [--open-seconds 60] [--saturation-seconds 30]
Requires Postgres (BENCH_DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432) and
Redis (REDIS_URL, default redis://127.0.0.1:6379/0).

One table: scenario, requests/s, p50, p95, p99, errors, target, and the CPU milliseconds per
request of the gunicorn workers, of the Postgres backends of the bench database and of locust
(psutil / os.times deltas over the scenario, divided by every request it made, log-ins included).
Their sum sets the ceiling on this machine: cores / CPU seconds per request, printed below the
table with the load average (the machine may be shared), the Redis connections opened during each
scenario (the receipt publishes reuse the producer pool's connection) and the receipts queued.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DB_NAME = "omst_bench_load"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
OPEN_USERS = 50
SATURATION_USERS = 24


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for_portal():
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench._load_settings",
            "DATABASE_URL": f"{SERVER}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def psql(sql):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def prepare(env, drafts_per_user):
    print(f"creating {DB_NAME}, migrating, seeding ...", flush=True)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [sys.executable, "bench/_load_seed.py", str(OPEN_USERS), str(drafts_per_user), str(SATURATION_USERS)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


def serve(env, workers, log_path):
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "omstallning.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers), "--worker-class", "sync", "--preload", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/halsa/", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise SystemExit(f"gunicorn did not start; see {log_path}")
    # warm every worker (imports, templates, pool)
    for path in ["/", "/kan-jag-fa-stod/", "/konto/logga-in/"] * (workers * 4):
        urllib.request.urlopen(url + path, timeout=10).read()  # noqa: S310
    return proc, url


def _cpu_seconds(pids):
    """User + system CPU seconds of each process that still exists (psutil, from /proc)."""
    import psutil

    found = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        found[pid] = times.user + times.system
    return found


def _postgres_backends():
    """The pids of the Postgres backends connected to the bench database (the workers' pools)."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME]).fetchall()
    return [r[0] for r in rows]


def _redis_connections():
    import redis

    return redis.Redis.from_url(REDIS_URL).info("stats")["total_connections_received"]


class CpuMeter:
    """CPU seconds spent during a scenario by the gunicorn workers, the Postgres backends of the
    bench database and locust, so that the report can give CPU milliseconds per request (the
    figure that decides the saturation throughput on a shared 2-core machine)."""

    def __init__(self, gunicorn):
        self.gunicorn = gunicorn

    def _workers(self):
        import psutil

        return [c.pid for c in psutil.Process(self.gunicorn.pid).children()]

    def start(self):
        self.web0 = _cpu_seconds(self._workers())
        self.db0 = _cpu_seconds(_postgres_backends())
        self.children0 = os.times()
        self.redis0 = _redis_connections()
        self.wall0 = time.monotonic()

    def stop(self):
        web1 = _cpu_seconds(self._workers())
        db1 = _cpu_seconds(_postgres_backends())
        children1 = os.times()
        return {
            "web": sum(v - self.web0.get(pid, 0.0) for pid, v in web1.items()),
            "db": sum(v - self.db0.get(pid, 0.0) for pid, v in db1.items()),
            "locust": (children1.children_user + children1.children_system)
            - (self.children0.children_user + self.children0.children_system),
            "redis_connections": _redis_connections() - self.redis0,
            "wall": time.monotonic() - self.wall0,
        }


def run_locust(url, scenario, users, seconds, seed_path, out_dir):
    out = out_dir / f"{scenario}-records.json"
    env = dict(os.environ, LOAD_SCENARIO=scenario, LOAD_SEED=str(seed_path), LOAD_OUT=str(out))
    cmd = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "_load_locustfile.py"),
        "--headless",
        "--host",
        url,
        "-u",
        str(users),
        "-r",
        str(users if scenario == "saturation" else 10),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(out_dir / scenario),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    (out_dir / f"{scenario}-locust.log").write_text(result.stdout + result.stderr)
    if not out.exists():
        print(f"locust ({scenario}) wrote no records; exit {result.returncode}:\n{result.stderr[-2000:]}")
        return []
    return json.loads(out.read_text())


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def row(label, records, seconds, target):
    """requests/s over the span of the scenario's own requests (a saturation run may end early
    when the stock of drafts is used up)."""
    times = [r[1] for r in records]
    errors = sum(1 for r in records if not r[2])
    if len(records) > 1:
        seconds = max(r[3] for r in records) - min(r[3] for r in records)
    return [
        label,
        f"{len(records) / seconds:.1f}",
        f"{percentile(times, 50):.1f}",
        f"{percentile(times, 95):.1f}",
        f"{percentile(times, 99):.1f}",
        str(errors),
        target,
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open-seconds", type=int, default=60)
    parser.add_argument("--saturation-seconds", type=int, default=30)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    workers = 2 * cores + 1
    drafts_per_user = max(50, 600 * args.saturation_seconds // (SATURATION_USERS * 1))
    env = env_for_portal()
    out_dir = ROOT / "build" / "bench" / "load"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    seed = prepare(env, drafts_per_user)
    seed_path = out_dir / "seed.json"
    seed_path.write_text(seed)
    proc, url = serve(env, workers, out_dir / "gunicorn.log")
    meter = CpuMeter(proc)
    try:
        print(f"gunicorn: {workers} sync workers on {url}; open loop {args.open_seconds} s ...", flush=True)
        meter.start()
        open_records = run_locust(url, "open", OPEN_USERS, args.open_seconds, seed_path, out_dir)
        open_cpu = meter.stop()
        print(f"saturation {args.saturation_seconds} s with {SATURATION_USERS} users ...", flush=True)
        meter.start()
        sat_records = run_locust(url, "saturation", SATURATION_USERS, args.saturation_seconds, seed_path, out_dir)
        sat_cpu = meter.stop()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        import redis

        queue = redis.Redis.from_url(REDIS_URL)
        receipts_queued = queue.llen("bench-load")
        queue.delete("bench-load")  # the receipts that were queued, never run
    measured = [r for r in open_records if not r[0].startswith("log in")]
    precheck = [r for r in measured if r[0].startswith("pre-check")]
    apply = [r for r in measured if r[0].startswith("apply")]
    submit = [r for r in measured if r[0] == "apply: submit"]
    sat = [r for r in sat_records if not r[0].startswith("log in")]

    def cpu_cell(cpu, records):
        # every request the scenario made, log-ins included (they are a handful)
        n = max(1, len(records))
        return f"{1000 * cpu['web'] / n:.1f} / {1000 * cpu['db'] / n:.1f} / {1000 * cpu['locust'] / n:.1f}"

    rows = [
        row(f"open loop {OPEN_USERS} users: all", measured, args.open_seconds, "p95 <= 50 ms, 0 errors")
        + [cpu_cell(open_cpu, open_records)],
        row("open loop: pre-check (page + check)", precheck, args.open_seconds, "p95 <= 50 ms") + [""],
        row("open loop: application steps + submit", apply, args.open_seconds, "p95 <= 50 ms") + [""],
        row("open loop: submit only", submit, args.open_seconds, "p95 <= 50 ms") + [""],
        row(
            f"saturation: submit ({SATURATION_USERS} users, no think)",
            sat,
            args.saturation_seconds,
            ">= 300 req/s, 0 errors",
        )
        + [cpu_cell(sat_cpu, sat_records)],
    ]
    header = ["scenario", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors", "target", "CPU ms/req web/db/locust"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print()
    print(
        f"bench/load.py: gunicorn {workers} sync workers ({cores} cores), Postgres + pool, Redis; locust on loopback"
    )
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    load1, load5, _ = os.getloadavg()
    print(f"machine load average at the end: {load1:.1f} (1 min), {load5:.1f} (5 min); CSV in {out_dir}")
    for name, cpu, records in (("open loop", open_cpu, open_records), ("saturation", sat_cpu, sat_records)):
        total = (cpu["web"] + cpu["db"] + cpu["locust"]) / max(1, len(records))
        print(
            f"{name}: {len(records)} requests (log-ins included) in {cpu['wall']:.0f} s; CPU per request "
            f"{1000 * total:.1f} ms (gunicorn workers {1000 * cpu['web'] / max(1, len(records)):.1f}, "
            f"Postgres {1000 * cpu['db'] / max(1, len(records)):.1f}, locust "
            f"{1000 * cpu['locust'] / max(1, len(records)):.1f}); "
            f"ceiling on {cores} cores at this cost: {cores / total if total else float('nan'):.0f} req/s; "
            f"Redis connections opened (whole server): {cpu['redis_connections']}"
        )
    print(f"receipt tasks found on the bench's queue (published on commit, never run): {receipts_queued}")
    if not sat:
        print("saturation scenario produced no requests: see build/bench/load/")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
