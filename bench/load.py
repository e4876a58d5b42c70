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
    try:
        print(f"gunicorn: {workers} sync workers on {url}; open loop {args.open_seconds} s ...", flush=True)
        open_records = run_locust(url, "open", OPEN_USERS, args.open_seconds, seed_path, out_dir)
        print(f"saturation {args.saturation_seconds} s with {SATURATION_USERS} users ...", flush=True)
        sat_records = run_locust(url, "saturation", SATURATION_USERS, args.saturation_seconds, seed_path, out_dir)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        import redis

        redis.Redis.from_url(REDIS_URL).delete("bench-load")  # the receipts that were queued, never run
    measured = [r for r in open_records if not r[0].startswith("log in")]
    precheck = [r for r in measured if r[0].startswith("pre-check")]
    apply = [r for r in measured if r[0].startswith("apply")]
    submit = [r for r in measured if r[0] == "apply: submit"]
    sat = [r for r in sat_records if not r[0].startswith("log in")]
    rows = [
        row(f"open loop {OPEN_USERS} users: all", measured, args.open_seconds, "p95 <= 50 ms, 0 errors"),
        row("open loop: pre-check (page + check)", precheck, args.open_seconds, "p95 <= 50 ms"),
        row("open loop: application steps + submit", apply, args.open_seconds, "p95 <= 50 ms"),
        row("open loop: submit only", submit, args.open_seconds, "p95 <= 50 ms"),
        row(
            f"saturation: submit ({SATURATION_USERS} users, no think)",
            sat,
            args.saturation_seconds,
            ">= 300 req/s, 0 errors",
        ),
    ]
    header = ["scenario", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors", "target"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print()
    print(
        f"bench/load.py: gunicorn {workers} sync workers ({cores} cores), Postgres + pool, Redis; locust on loopback"
    )
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    load1, load5, _ = os.getloadavg()
    print(f"machine load average during the run: {load1:.1f} (1 min), {load5:.1f} (5 min); CSV in {out_dir}")
    if not sat:
        print("saturation scenario produced no requests: see build/bench/load/")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
