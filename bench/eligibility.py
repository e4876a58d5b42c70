"""Benchmark of the eligibility engine (run by ``make bench``; not part of the test suite).

Generates 100,000 random cases with a fixed seed, then measures

* in-process: ``evaluate(case, params)`` over already-parsed cases (the hot loop), and parsing
  separately;
* end to end: ``python manage.py evaluate_eligibility FILE`` on the same cases as a JSON file,
  including process start, JSON decoding, parsing, evaluation and JSON encoding (skipped with a
  message when Django is not importable).

Usage: python bench/eligibility.py [N] [--no-command]
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eligibility.rules import DEFAULT_PARAMETERS, evaluate, parse_case  # noqa: E402

SEED = 20261123
OOO_SERVICES = ("radgivning", "forstarkt_stod", "vagledning", "yttrande")
SITUATIONS = (
    "uppsagd_arbetsbrist",
    "uppsagd_sjukdom",
    "tidsbegransad",
    "anstalld",
    "egenforetagare",
    "egen_uppsagning",
)


def make_case(rng: random.Random, n: int) -> dict:
    year = rng.randint(2023, 2026)
    month = rng.randint(1, 12)
    app = f"{year}-{month:02d}-{rng.randint(1, 28):02d}"
    by = rng.randint(1955, 2002)
    case = {
        "id": f"b{n}",
        "application_date": app,
        "birth_date": f"{by}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "employer": {
            "active_in_sweden": rng.random() < 0.97,
            "registered_with_skatteverket": rng.random() < 0.97,
            "kollektivavtal": rng.random() < 0.1,
            "finances_registered_organisation": rng.random() < 0.05,
        },
    }
    if rng.random() < 0.1:
        case["ruleset"] = "ciko"
        case["service"] = rng.choice(("omstallningsstod", "omstallningsersattning"))
        case["situation"] = rng.choice(SITUATIONS[:3])
        end_year = rng.randint(2019, year)
        case["employment_end_date"] = f"{end_year}-{rng.randint(1, 12):02d}-28"
        case["employment_rate"] = rng.choice((1.0, 0.8, 0.5, 0.3))
        start_year = end_year - rng.randint(0, 8)
        case["employments"] = [
            {
                "start": f"{start_year}-01-01",
                "end": case["employment_end_date"],
                "rate": case["employment_rate"],
                "kfo_affiliated": True,
            }
        ]
        return case
    case["ruleset"] = "ooo"
    case["service"] = rng.choice(OOO_SERVICES)
    case["situation"] = rng.choice(SITUATIONS)
    if case["situation"] == "egenforetagare" and rng.random() < 0.5:
        case["employer"] = None
    if case["situation"] in ("uppsagd_arbetsbrist", "uppsagd_sjukdom", "tidsbegransad", "egen_uppsagning"):
        case["employment_end_date"] = f"{year + rng.randint(0, 1)}-{rng.randint(1, 12):02d}-28"
    case["illness_special_needs"] = rng.random() < 0.5
    if case["service"] != "yttrande":
        months = []
        base = year * 12 + month - 1
        style = rng.random()
        for k in range(1, 25 + rng.randint(0, 12)):
            idx = base - k
            label = f"{idx // 12}-{idx % 12 + 1:02d}"
            entry = {"month": label}
            if style < 0.6 or rng.random() < 0.5:
                entry["hours"] = rng.choice((0, 40, 64, 68.5, 70.857, 71, 100, 120, 160))
            if idx // 12 >= 2019 and (style > 0.4 or rng.random() < 0.3):
                entry["income"] = rng.choice((0, 15000, 18575, 19050, 20150, 21000, 30000))
            if rng.random() < 0.05:
                entry["skippable"] = True
            months.append(entry)
        rng.shuffle(months)
        case["months"] = months
    return case


def generate(n: int) -> list[dict]:
    rng = random.Random(SEED)
    return [make_case(rng, i) for i in range(n)]


def bench_in_process(raw: list[dict], repeats: int = 3) -> dict:
    """Wall-clock and CPU rates; the hot loop is repeated and the best and the median are kept
    (shared machines are noisy, CPU time is less so)."""
    params = DEFAULT_PARAMETERS
    w0, c0 = time.perf_counter(), time.process_time()
    cases = [parse_case(c, params) for c in raw]
    parse = (len(raw) / (time.perf_counter() - w0), len(raw) / (time.process_time() - c0))
    walls, cpus = [], []
    eligible = 0
    for _ in range(repeats):
        eligible = 0
        w0, c0 = time.perf_counter(), time.process_time()
        for case in cases:  # the hot loop
            if evaluate(case, params)["eligible"]:
                eligible += 1
        walls.append(len(cases) / (time.perf_counter() - w0))
        cpus.append(len(cases) / (time.process_time() - c0))
    return {"parse": parse, "wall": sorted(walls), "cpu": sorted(cpus), "eligible": eligible}


def bench_command(raw: list[dict], repeats: int = 2) -> dict | None:
    python = ROOT / ".venv" / "bin" / "python"
    if not (ROOT / "manage.py").exists() or not python.exists():
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(raw, fh)
        path = fh.name
    walls, cpus = [], []
    try:
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "omstallning.settings.dev")
        for _ in range(repeats):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [str(python), str(ROOT / "manage.py"), "evaluate_eligibility", path],
                cwd=ROOT,
                env=env,
                capture_output=True,
                check=False,
            )
            elapsed = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode not in (0, 1):
                print(proc.stderr.decode()[-2000:], file=sys.stderr)
                return None
            out = json.loads(proc.stdout)
            assert len(out) == len(raw)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            walls.append(len(raw) / elapsed)
            cpus.append(len(raw) / cpu)
    finally:
        os.unlink(path)
    return {"wall": sorted(walls), "cpu": sorted(cpus)}


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 100_000
    raw = generate(n)
    res = bench_in_process(raw)
    load = os.getloadavg()[0]
    print(
        f"eligibility bench: {n:,} cases, seed {SEED}, {res['eligible']:,} eligible, "
        f"Python {sys.version.split()[0]}, load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{'measurement':<50} {'wall best':>10} {'wall median':>12} {'per CPU-s':>10} {'target':>10}")
    wall, cpu = res["wall"], res["cpu"]
    print(
        f"{'in-process evaluate (parsed cases, hot loop)':<50} {wall[-1]:>10,.0f} {wall[len(wall) // 2]:>12,.0f} "
        f"{cpu[-1]:>10,.0f} {'≥ 50,000':>10}"
    )
    print(
        f"{'in-process parse_case (JSON dict -> Case)':<50} {res['parse'][0]:>10,.0f} {'':>12} {res['parse'][1]:>10,.0f}"
    )
    if "--no-command" not in argv:
        cmd = bench_command(raw)
        name = "manage.py evaluate_eligibility FILE (end to end)"
        if cmd is None:
            print(f"{name:<50} {'skipped':>10}")
        else:
            wall, cpu = cmd["wall"], cmd["cpu"]
            print(f"{name:<50} {wall[-1]:>10,.0f} {wall[0]:>12,.0f} {cpu[-1]:>10,.0f} {'≥ 10,000':>10}")
    print("cases/s; 'per CPU-s' divides by the process's CPU time, so other load on the machine counts less.")


if __name__ == "__main__":
    main(sys.argv[1:])
