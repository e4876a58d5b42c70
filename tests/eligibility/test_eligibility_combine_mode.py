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


def test_per_month_either_counts_hours_months_brought_in_by_skipped_months():
    # 18 flagged months (2024-03 … 2025-08) extend the hours frame back to 2022-03. The 6 hours
    # months (2022-09 … 2023-02) lie only in the extension; the 6 income months (2023-09 … 2024-02)
    # lie in the base frame. Neither route reaches 12 alone; together they do.
    months = [{"month": m, "hours": 120} for m in month_labels("2022-09", 6)]
    months += [{"month": m, "income": 30000} for m in month_labels("2023-09", 6)]
    months += [{"month": m, "skippable": True} for m in month_labels("2024-03", 18)]
    case = ooo_case(application_date="2025-09-10", employment_end_date="2025-09-30", months=months)
    strict = evaluate(case)
    assert strict["work_requirement"]["qualifying_months_hours"] == 6
    assert strict["work_requirement"]["qualifying_months_income"] == 6
    assert not strict["eligible"]
    either = evaluate(case, Parameters(combine_mode="per_month_either"))
    assert either["eligible"]
    assert either["work_requirement"]["frame"] == ["2022-03", "2025-08"]
