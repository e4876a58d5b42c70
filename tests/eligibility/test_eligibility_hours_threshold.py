"""R-1.20 / D3: a month qualifies on hours iff hours ≥ 16 × days / 7, compared exactly."""

import pytest

from eligibility.rules import Parameters, evaluate

from .helpers import ooo_case


def _one_month(month: str, hours, **params) -> int:
    # Application in the month after `month`, so `month` is the last month of the frame.
    y, m = int(month[:4]), int(month[5:])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    case = ooo_case(application_date=f"{y}-{m:02d}-10", months=[{"month": month, "hours": hours}])
    result = evaluate(case, Parameters(**params))
    return result["work_requirement"]["qualifying_months_hours"]


@pytest.mark.parametrize(
    ("month", "just_below", "at_or_above"),
    [
        ("2025-02", "63.999999", 64),  # 28 days: 64.000
        ("2024-02", "66.285714", "66.285715"),  # 29 days: 66.2857142…
        ("2025-04", "68.571428", "68.571429"),  # 30 days: 68.5714285…
        ("2025-03", "70.857142", "70.857143"),  # 31 days: 70.8571428…
    ],
)
def test_threshold_per_month_length(month, just_below, at_or_above):
    assert _one_month(month, just_below) == 0
    assert _one_month(month, at_or_above) == 1


def test_exactly_sixteen_per_week_in_february_qualifies_as_float_and_int():
    assert _one_month("2025-02", 64) == 1
    assert _one_month("2025-02", 64.0) == 1
    assert _one_month("2025-02", 63.99) == 0


def test_seventy_point_857_is_below_the_31_day_limit():
    # 70.857 h is the rounded figure of rules.md; the exact limit is 70.857142…
    assert _one_month("2025-03", 70.857) == 0


def test_fixed_weeks_method_uses_the_same_limit_every_month():
    # 16 × 4.33 = 69.28 h whatever the month length.
    assert _one_month("2025-02", 69.28, hours_method="fixed_weeks") == 1
    assert _one_month("2025-02", 69.27, hours_method="fixed_weeks") == 0
    assert _one_month("2025-03", 69.28, hours_method="fixed_weeks") == 1
