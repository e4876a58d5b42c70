"""R-1.22 / D5: strict (12 within one route) versus per_month_either."""

from eligibility.rules import Parameters, evaluate

from .helpers import failed, month_labels, ooo_case


def _split_case():
    # 6 months only on hours, 6 months only on income (worked example 9).
    months = [{"month": m, "hours": 100, "income": 10000} for m in month_labels("2023-02", 6)]
    months += [{"month": m, "hours": 40, "income": 25000} for m in month_labels("2023-08", 6)]
    return ooo_case(
        service="vagledning",
        situation="anstalld",
        application_date="2025-02-10",
        employment_end_date=None,
        months=months,
    )


def test_strict_does_not_add_routes():
    result = evaluate(_split_case())
    assert "R-1.17" in failed(result)
    assert result["work_requirement"]["route"] is None


def test_per_month_either_adds_routes_month_by_month():
    result = evaluate(_split_case(), Parameters(combine_mode="per_month_either"))
    assert result["eligible"]
    assert result["work_requirement"]["route"] == "either"


def test_per_month_either_does_not_count_a_month_twice():
    months = [{"month": m, "hours": 100, "income": 25000} for m in month_labels("2023-02", 11)]
    case = ooo_case(application_date="2025-02-10", months=months)
    assert "R-1.17" in failed(evaluate(case, Parameters(combine_mode="per_month_either")))
