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


def bench_in_process(raw: list[dict]) -> tuple[float, float, int]:
    params = DEFAULT_PARAMETERS
    t0 = time.perf_counter()
    cases = [parse_case(c, params) for c in raw]
    t1 = time.perf_counter()
    eligible = 0
    for case in cases:  # the hot loop
        if evaluate(case, params)["eligible"]:
            eligible += 1
    t2 = time.perf_counter()
    return len(raw) / (t1 - t0), len(raw) / (t2 - t1), eligible


def bench_command(raw: list[dict]) -> float | None:
    python = ROOT / ".venv" / "bin" / "python"
    if not (ROOT / "manage.py").exists() or not python.exists():
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(raw, fh)
        path = fh.name
    try:
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "omstallning.settings.dev")
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(python), str(ROOT / "manage.py"), "evaluate_eligibility", path],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=False,
        )
        elapsed = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            print(proc.stderr.decode()[-2000:], file=sys.stderr)
            return None
        out = json.loads(proc.stdout)
        assert len(out) == len(raw)
        return len(raw) / elapsed
    finally:
        os.unlink(path)


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 100_000
    raw = generate(n)
    parse_rate, eval_rate, eligible = bench_in_process(raw)
    rows = [
        ("in-process evaluate (parsed cases, hot loop)", eval_rate, 50_000),
        ("in-process parse_case (JSON dict -> Case)", parse_rate, None),
    ]
    if "--no-command" not in argv:
        cmd_rate = bench_command(raw)
        rows.append(("manage.py evaluate_eligibility FILE (end to end)", cmd_rate, 10_000))
    print(f"eligibility bench: {n:,} cases, seed {SEED}, {eligible:,} eligible, Python {sys.version.split()[0]}")
    print(f"{'measurement':<52} {'cases/s':>12} {'target':>10}")
    for name, rate, target in rows:
        shown = "skipped" if rate is None else f"{rate:,.0f}"
        tgt = "" if target is None else f"≥ {target:,}"
        print(f"{name:<52} {shown:>12} {tgt:>10}")


if __name__ == "__main__":
    main(sys.argv[1:])
