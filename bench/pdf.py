"""T4: the yttrande PDF (WeasyPrint) — render time per yttrande and memory growth.

Renders the real template (applications/yttrande/templates/yttrande/pdf/yttrande.html) with a
two-page yttrande: 50 warm renders for p50/p95, then 200 renders for the growth of the resident
set size (RSS). Targets (docs/yttrande.md, performance-reliability T4): p50 <= 300 ms,
p95 <= 400 ms, RSS growth <= 10 MiB over 200 renders. Measures; never asserts.

    .venv/bin/python bench/pdf.py
"""

import datetime
import gc
import io
import os
import sys
import time
from pathlib import Path

import statistics

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omstallning.settings.dev")

import django  # noqa: E402

django.setup()

from applications.yttrande.pdf import YttrandePdfData, render_yttrande_pdf  # noqa: E402

WARM = 50
MEMORY_RUNS = 200


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def sample() -> YttrandePdfData:
    needs = (
        "Arbetsförmedlingens prognos visar stor efterfrågan på undersköterskor i Västra Götaland de "
        "kommande fem åren, särskilt inom äldreomsorgen och hemtjänsten. "
    )
    reasons = (
        "Personen har arbetat tolv år i detaljhandeln med kundmöten, schemaläggning och ansvar för "
        "nyanställda. Utbildningen ger en yrkesexamen som krävs för tillsvidareanställning inom vården, "
        "och erfarenheten av bemötande är direkt användbar i målyrket. "
    )
    return YttrandePdfData(
        reference="YTT-2026-000123",
        version=2,
        person_name="Åsa Öberg-Ängström",
        personnummer="19850820-2384",
        csn_reference="CSN-2026-98765",
        education_name="Undersköterska, vård och omsorg",
        education_provider="Komvux Göteborg",
        education_start=datetime.date(2027, 1, 12),
        education_weeks=40,
        education_pace=100,
        occupation="Butikssäljare",
        target_occupation="Undersköterska",
        region="Västra Götaland",
        shortage_occupation=True,
        labour_market_needs=needs * 4,
        strengthens=True,
        reasons=reasons * 6,
        advisor_name="Rasmus Rådgivare",
        issued_on=datetime.date(2026, 11, 23),
        organisation="Den offentliga omställningsorganisationen",
        approved_by="Hanna Handläggare",
        verification_code="ABCD-EFGH-JKMN-PQRS-TVWX",
        verification_path="/verifiera/ABCD-EFGH-JKMN-PQRS-TVWX/",
        replaces_version=1,
    )


def main() -> int:
    from pypdf import PdfReader

    data = sample()
    started = time.perf_counter()
    first = render_yttrande_pdf(data)
    first_ms = (time.perf_counter() - started) * 1000
    pages = len(PdfReader(io.BytesIO(first)).pages)
    for _ in range(3):  # warm-up
        render_yttrande_pdf(data)

    times, cpu = [], []
    for _ in range(WARM):
        t, c = time.perf_counter(), time.process_time()
        render_yttrande_pdf(data)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    times.sort()
    cpu.sort()
    p50 = statistics.median(times)
    p95 = times[int(round(0.95 * (len(times) - 1)))]
    cpu50 = statistics.median(cpu)
    cpu95 = cpu[int(round(0.95 * (len(cpu) - 1)))]

    gc.collect()
    before = rss_mib()
    for _ in range(MEMORY_RUNS):
        render_yttrande_pdf(data)
    gc.collect()
    growth = rss_mib() - before

    rows = [
        ("pages per yttrande", f"{pages}", "2 (the T4 shape)", ""),
        ("PDF size", f"{len(first) / 1024:.1f} KiB", "—", ""),
        ("first render (after import)", f"{first_ms:.0f} ms", "—", ""),
        (f"render p50 ({WARM} warm)", f"{p50:.0f} ms", "≤ 300 ms", "ok" if p50 <= 300 else "MISSED"),
        (f"render p95 ({WARM} warm)", f"{p95:.0f} ms", "≤ 400 ms", "ok" if p95 <= 400 else "MISSED"),
        ("CPU time p50 (same renders)", f"{cpu50:.0f} ms", "(load-independent)", ""),
        ("CPU time p95 (same renders)", f"{cpu95:.0f} ms", "", ""),
        (
            "per page (p50)",
            f"{p50 / max(pages, 1):.0f} ms",
            "≤ 200 ms",
            "ok" if p50 / max(pages, 1) <= 200 else "MISSED",
        ),
        (
            f"RSS growth over {MEMORY_RUNS} renders",
            f"{growth:.1f} MiB",
            "≤ 10 MiB",
            "ok" if growth <= 10 else "MISSED",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'measured':>12}  {'target':>16}  result")
    for name, measured, target, result in rows:
        print(f"{name:<{width}}  {measured:>12}  {target:>16}  {result}")
    print(
        f"(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; min {times[0]:.0f} ms, max {times[-1]:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
