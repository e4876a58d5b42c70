"""Builders for eligibility test cases (plain JSON dicts as in eligibility-cli.md)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT.parent / "shared" / "domain" / "examples.json"

GOOD_EMPLOYER = {
    "active_in_sweden": True,
    "registered_with_skatteverket": True,
    "kollektivavtal": False,
    "finances_registered_organisation": False,
}


def load_examples() -> list[dict]:
    return json.loads(EXAMPLES.read_text(encoding="utf-8"))


def month_labels(first: str, count: int) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    for k in range(count):
        idx = y * 12 + m - 1 + k
        out.append(f"{idx // 12:04d}-{idx % 12 + 1:02d}")
    return out


def frame_labels(application_date: str, count: int = 24) -> list[str]:
    """The `count` calendar months before the application month, oldest first."""
    y, m = int(application_date[:4]), int(application_date[5:7])
    idx = y * 12 + m - 1 - count
    return month_labels(f"{idx // 12:04d}-{idx % 12 + 1:02d}", count)


def ooo_case(**overrides) -> dict:
    """An eligible rådgivning case: 120 h in each of the 24 frame months."""
    case = {
        "id": "t",
        "ruleset": "ooo",
        "service": "radgivning",
        "application_date": "2025-03-15",
        "birth_date": "1980-05-10",
        "situation": "uppsagd_arbetsbrist",
        "employment_end_date": "2025-04-30",
        "employer": copy.deepcopy(GOOD_EMPLOYER),
        "months": [{"month": label, "hours": 120} for label in frame_labels("2025-03-15")],
    }
    case.update(overrides)
    return case


def ciko_case(**overrides) -> dict:
    case = {
        "id": "c",
        "ruleset": "ciko",
        "service": "omstallningsstod",
        "application_date": "2025-03-01",
        "birth_date": "1975-06-15",
        "situation": "uppsagd_arbetsbrist",
        "employment_end_date": "2025-01-31",
        "employer": dict(GOOD_EMPLOYER, kollektivavtal=True),
        "employment_rate": 1.0,
        "employments": [{"start": "2015-01-01", "end": "2025-01-31", "rate": 1.0, "kfo_affiliated": True}],
    }
    case.update(overrides)
    return case


def failed(result: dict) -> set[str]:
    return {r["rule"] for r in result["reasons"] if not r["passed"]}
