"""Benchmark of the eligibility engine (run by ``make bench``; not part of the test suite).

Generates 100,000 random cases with a fixed seed, then measures, each as wall time and CPU time
(``time.process_time``; on a shared, loaded machine the CPU figure is the one to compare):

* in-process ``decide(case, params)`` over parsed cases: the hot loop, with reason codes (rule
  IDs and pass/fail) and the work-requirement counts, no texts (target T1: >= 50,000 cases/s);
* in-process ``evaluate`` (the same plus every rule's Swedish and English text), ``parse_case``,
  and the frozen pre-optimisation engine in ``tests/eligibility/reference`` on the same cases;
* whether the optimised engine's results are identical to the reference engine's on all cases
  (every output object, texts included): "identical: yes/no";
* end to end: ``python manage.py evaluate_eligibility FILE`` on the same cases as a JSON file,
  including process start, JSON decoding, parsing, evaluation and JSON encoding (skipped with a
  message when Django is not importable), with `--jobs=1` and with every CPU. Target >= 10,000 cases/s.

Usage: python bench/eligibility.py [N] [--no-command] [--no-reference]
"""

from __future__ import annotations

import gc
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

from eligibility.rules import DEFAULT_PARAMETERS, decide, evaluate, evaluate_data, parse_case  # noqa: E402

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


def _timed(fn, items, repeats: int = 1) -> tuple[float, float]:
    """Best wall and best CPU seconds per item over ``repeats`` runs of ``fn(items)``."""
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn(items)
        walls.append((time.perf_counter() - w0) / len(items))
        cpus.append((time.process_time() - c0) / len(items))
    return min(walls), min(cpus)


def bench_in_process(raw: list[dict], repeats: int = 3, reference: bool = True) -> dict:
    params = DEFAULT_PARAMETERS
    out = {}
    out["parse"] = _timed(lambda xs: [parse_case(c, params) for c in xs], raw)
    cases = [parse_case(c, params) for c in raw]
    eligible = 0

    def hot(xs):  # the hot loop
        nonlocal eligible
        eligible = 0
        for case in xs:
            if decide(case, params)[1]:
                eligible += 1

    out["decide"] = _timed(hot, cases, repeats)
    out["eligible"] = eligible
    out["evaluate"] = _timed(lambda xs: [evaluate(c, params) for c in xs], cases)
    if reference:
        from tests.eligibility.reference import case as ref_case
        from tests.eligibility.reference import evaluate as ref_evaluate
        from tests.eligibility.reference import evaluate_data as ref_evaluate_data

        ref_cases = [ref_case.parse_case(c, params) for c in raw]
        out["reference"] = _timed(lambda xs: [ref_evaluate(c, params) for c in xs], ref_cases)
        out["reference_parse"] = _timed(lambda xs: [ref_case.parse_case(c, params) for c in xs], raw)
        del ref_cases
        mismatches = sum(1 for c in raw if evaluate_data(c, params) != ref_evaluate_data(c, params))
        out["mismatches"] = mismatches
    return out


def bench_command(raw: list[dict], repeats: int = 2, jobs: int | None = None) -> dict | None:
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
                [str(python), str(ROOT / "manage.py"), "evaluate_eligibility", path]
                + ([f"--jobs={jobs}"] if jobs else []),
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
            walls.append(elapsed / len(raw))
            cpus.append(cpu / len(raw))
    finally:
        os.unlink(path)
    return {"wall": min(walls), "cpu": min(cpus)}


def _row(name: str, timing: tuple[float, float], target: str = "") -> str:
    wall, cpu = timing
    return f"{name:<52} {wall * 1e6:>9.1f} {cpu * 1e6:>9.1f} {1 / wall:>10,.0f} {1 / cpu:>10,.0f} {target:>10}"


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 100_000
    raw = generate(n)
    load_before = _loadavg()
    gc.collect()
    res = bench_in_process(raw, reference="--no-reference" not in argv)
    cmd = bench_command(raw, jobs=1) if "--no-command" not in argv else None
    cmd_all = bench_command(raw) if "--no-command" not in argv and (os.cpu_count() or 1) > 1 else None
    load_after = _loadavg()
    print(
        f"eligibility bench: {n:,} cases, seed {SEED}, {res['eligible']:,} eligible, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average before {load_before}, "
        f"after {load_after}"
    )
    print(f"{'measurement':<52} {'µs wall':>9} {'µs CPU':>9} {'/s wall':>10} {'/CPU-s':>10} {'target':>10}")
    print(_row("in-process decide (reason codes; T1 hot loop)", res["decide"], "≥ 50,000"))
    print(_row("in-process evaluate (with sv+en texts)", res["evaluate"]))
    print(_row("in-process parse_case (JSON dict -> Case)", res["parse"]))
    if "reference" in res:
        print(_row("  reference engine evaluate (before the speed work)", res["reference"]))
        print(_row("  reference engine parse_case", res["reference_parse"]))
        print(
            f"identical: {'yes' if res['mismatches'] == 0 else 'no'} "
            f"({res['mismatches']} of {n:,} results differ from the reference engine)"
        )
    name = "manage.py evaluate_eligibility FILE --jobs=1 (end to end)"
    if "--no-command" in argv:
        pass
    elif cmd is None:
        print(f"{name:<52} {'skipped':>9}")
    else:
        print(_row(name, (cmd["wall"], cmd["cpu"]), "≥ 10,000"))
        if cmd_all is not None:
            name = f"manage.py evaluate_eligibility FILE (--jobs={os.cpu_count()})"
            print(_row(name, (cmd_all["wall"], cmd_all["cpu"]), "≥ 10,000"))
    print("best of the runs; /CPU-s divides by the process's CPU time, so other load on the machine counts less.")


if __name__ == "__main__":
    main(sys.argv[1:])
