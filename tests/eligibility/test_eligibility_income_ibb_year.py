"""R-1.18 / D4: income is compared with 0.25 × the IBB of the month's own year."""

from eligibility.rules import Parameters, evaluate

from .helpers import ooo_case


def _count(months, application_date="2025-03-10", **params):
    case = ooo_case(application_date=application_date, months=months)
    return evaluate(case, Parameters(**params))["work_requirement"]["qualifying_months_income"]


def test_same_income_passes_in_december_and_fails_in_january():
    # 0.25 × 74 300 = 18 575 (2023); 0.25 × 76 200 = 19 050 (2024).
    months = [{"month": "2023-12", "income": 19000}, {"month": "2024-01", "income": 19000}]
    assert _count(months) == 1
    assert _count([months[0]]) == 1
    assert _count([months[1]]) == 0


def test_threshold_is_inclusive_to_the_ore():
    assert _count([{"month": "2024-06", "income": 19050}]) == 1
    assert _count([{"month": "2024-06", "income": "19049.99"}]) == 0
    assert _count([{"month": "2025-01", "income": 20150}]) == 1
    assert _count([{"month": "2025-01", "income": 20149.99}]) == 0


def test_ibb_table_is_a_parameter():
    months = [{"month": "2024-06", "income": 19050}]
    assert _count(months, ibb={2024: 80000, 2025: 80600}) == 0
    assert _count(months, income_share="0.2") == 1
