"""Demo statistics: six months of generated v1 reports for demo organisations (fixed seed,
synthetic personnummer with valid check digits), imported through the same service as real
uploads, so the dashboard shows real figures. Idempotent: a month already accepted is skipped.

The agency's own monthly report (from applications and advisors) is not generated here."""

import datetime
import random
import tempfile
from pathlib import Path

from django.utils import timezone

from registry.models import Organisation

from . import services, synthetic
from .models import Submission

# organisation name → (persons in its pool, cases per month); the last one skips the latest month
DEMO_REPORTERS = [
    ("Demo Omställningsorganisation", 900, 420),
    ("Trygghetsfonden TSL", 700, 260),
    ("Omställningsfonden", 500, 180),
    ("CIKO", 300, 90),
]
MONTHS = 6


def _months(today: datetime.date) -> list[datetime.date]:
    """The six months before last month: last month is still to be reported (the missing-reports
    list shows it, and a reporter can upload it in the demo)."""
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    result = []
    for _ in range(MONTHS):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        result.append(first)
    return sorted(result)


def seed(*, stdout=None):
    months = _months(timezone.localdate())
    created = 0
    for index, (name, pool_size, per_month) in enumerate(DEMO_REPORTERS):
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            continue
        pool = synthetic.people(pool_size, seed=1000 + index)
        for m, period in enumerate(months):
            if index == len(DEMO_REPORTERS) - 1 and m == len(months) - 1:
                continue  # leaves a missing report to remind about
            if Submission.objects.filter(organisation=org, period=period, status="accepted").exists():
                continue
            rng = random.Random(f"{name}-{period:%Y-%m}")
            rows, seen = [], set()
            for pnr in rng.sample(pool, per_month):
                row = synthetic.case_row(rng, pnr, period)
                key = (pnr, row["service"], row["application_date"])
                if key not in seen:
                    seen.add(key)
                    rows.append(row)
            with tempfile.TemporaryDirectory() as tmp:
                path = synthetic.write_csv(Path(tmp) / f"demo-{period:%Y-%m}.csv", rows)
                sub = services.submission_create(
                    organisation=org, period=period, file=path, source=Submission.Source.COMMAND, enqueue=False
                )
            result = services.submission_import(sub.pk)
            if result.submission.status == Submission.Status.ACCEPTED:
                created += 1
    if stdout is not None:
        stdout.write(f"statistics: {created} demo monthly reports imported")
