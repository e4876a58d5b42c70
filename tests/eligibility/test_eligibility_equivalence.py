"""The optimised engine gives exactly the results of the engine before the speed work.

``tests/eligibility/reference`` is a frozen copy of that engine. Both evaluate the same generated
cases (the bench's generator, with its fixed seed, plus malformed variants) under several parameter
sets, and every output object (eligibility, each rule's result and both texts, the work
requirement, the amount, or the error) must be identical. ``bench/eligibility.py`` runs the same
comparison on 100,000 cases and prints "identical: yes/no".
"""

import copy
import random
import sys

import pytest

from eligibility.rules import (
    InputError,
    Parameters,
    decide,
    evaluate,
    evaluate_data,
    evaluate_many,
    parse_case,
    reason_codes,
)

from .helpers import ROOT
from .reference import evaluate_data as reference_evaluate_data

sys.path.insert(0, str(ROOT))
from bench.eligibility import generate  # noqa: E402

PARAMETER_SETS = {
    "default": Parameters(),
    "either": Parameters(combine_mode="per_month_either"),
    "skip-cap-income": Parameters(skippable_cap=1, skippable_applies_to_income=True),
    "fixed-weeks": Parameters(hours_method="fixed_weeks", hours_per_week="15.5", frame_months=18, required_months=9),
    "odd-hours-exact-age": Parameters(hours_per_week="16.5", yttrande_age_method="exact", application_window_days=90),
    "no-2020-ibb": Parameters(ibb={y: v for y, v in Parameters().ibb.items() if y != 2020}),
}


def _mangle(case: dict, rng: random.Random) -> dict:
    """A copy with one odd or malformed value (most still valid), so the checked paths run too."""
    case = copy.deepcopy(case)
    months = case.get("months") or []
    choice = rng.randrange(10)
    if choice == 0 and months:
        months[rng.randrange(len(months))]["hours"] = rng.choice([-1, 745, "12", 12.1234567, None, True, 33.25])
    elif choice == 1 and months:
        months[rng.randrange(len(months))]["income"] = rng.choice([-5, 100.5, "20000", 18575.255, None, False])
    elif choice == 2 and months:
        months[rng.randrange(len(months))]["skippable"] = rng.choice([None, 1, "yes", True])
    elif choice == 3 and months:
        months.append(dict(months[0]))  # duplicate month
    elif choice == 4 and months:
        months[rng.randrange(len(months))]["month"] = rng.choice(["2024-13", "2024-1", 202401, "2018-05"])
    elif choice == 5 and months:
        months.insert(0, {"month": "2016-05", "hours": 80, "income": 30000})
    elif choice == 6:
        case["employer"] = {**(case.get("employer") or {}), "kollektivavtal": rng.choice([1, None, "no"])}
    elif choice == 7:
        case["application_date"] = rng.choice(["2025-02-30", "2025-2-3", None])
    elif choice == 8 and months:
        months[rng.randrange(len(months))] = rng.choice([["2024-01"], "2024-01", {"hours": 3}])
    return case


@pytest.mark.parametrize("name", list(PARAMETER_SETS))
def test_identical_to_reference_engine(name):
    params = PARAMETER_SETS[name]
    rng = random.Random(name)
    cases = generate(1500)
    cases += [_mangle(case, rng) for case in cases[:600]]
    mismatches = []
    for case in cases:
        new = evaluate_data(case, params)
        ref = reference_evaluate_data(case, params)
        if new != ref:
            mismatches.append((case.get("id"), new, ref))
    assert not mismatches, mismatches[:3]


def test_parsed_with_other_parameters_is_recomputed():
    """A case parsed with one parameter set and evaluated with another gives the other's result."""
    default, either = PARAMETER_SETS["default"], PARAMETER_SETS["either"]
    fixed = PARAMETER_SETS["fixed-weeks"]
    for case in generate(400):
        try:
            parsed = parse_case(case, default)
        except InputError:
            parsed = None
        if parsed is None:
            continue
        for params in (either, fixed):
            assert evaluate(parsed, params) == reference_evaluate_data(case, params)


def test_batch_and_reason_codes_agree_with_evaluate():
    params = PARAMETER_SETS["default"]
    cases = generate(300)
    batch, errors = evaluate_many(cases, params, lang="en")
    assert errors == 0
    for case, out in zip(cases, batch, strict=True):
        full = reference_evaluate_data(case, params)
        assert out["eligible"] == full["eligible"]
        assert [(r["rule"], r["passed"], r["text"]) for r in out["reasons"]] == [
            (r["rule"], r["passed"], r["text_en"]) for r in full["reasons"]
        ]
        codes = reason_codes(decide(parse_case(case, params), params))
        assert codes == [(r["rule"], r["passed"]) for r in full["reasons"]]
