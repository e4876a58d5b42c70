"""Runs every benchmark script in bench/ (each prints its own table) and sums up.

Usage: `make bench` (all) or `.venv/bin/python bench/run.py eligibility pdf` (some).
Benchmarks measure; they never assert. Targets are quoted in each script's table.
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def main(names: list[str]) -> int:
    scripts = sorted(
        p for p in BENCH.glob("*.py") if p.name not in {"run.py", "__init__.py"} and not p.name.startswith("_")
    )
    if names:
        scripts = [p for p in scripts if p.stem in names]
    failures = []
    for script in scripts:
        print(f"\n=== bench/{script.name} ===", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], cwd=ROOT)
        print(f"--- bench/{script.name}: exit {result.returncode} in {time.monotonic() - started:.1f} s", flush=True)
        if result.returncode != 0:
            failures.append(script.name)
    if failures:
        print("\nBenchmarks that failed to run: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
