"""R-1.19 / D6: skippable months extend the hours frame backwards, chained, without a cap."""

from eligibility.rules import Parameters, evaluate

from .helpers import failed, month_labels, ooo_case

APP = "2025-09-10"  # base frame 2023-09 … 2025-08


def _case(months):
    return ooo_case(application_date=APP, employment_end_date="2025-09-30", months=months)


def _months(spec):
    """spec: list of (first month, count, hours, skippable)."""
    out = []
    for first, count, hours, skip in spec:
        for label in month_labels(first, count):
            out.append({"month": label, "hours": hours, "skippable": skip})
    return out


def test_skipped_months_extend_the_frame_back():
    # 6 worked months in the frame, 18 flagged months, then 6 worked months before the frame.
    months = _months([("2023-03", 6, 120, False), ("2023-09", 18, 0, True), ("2025-03", 6, 120, False)])
    result = evaluate(_case(months))
    wr = result["work_requirement"]
    assert wr["qualifying_months_hours"] == 12
    assert wr["frame"] == ["2022-03", "2025-08"]
    assert result["eligible"]


def test_months_added_by_the_extension_may_be_flagged_too():
    # 36 flagged months (2022-09 … 2025-08): 24 in the base frame and 12 more that the extension
    # brings in. All are skipped, so 24 ordinary months are needed before 2022-09: 12 worked
    # months (2021-09 … 2022-08) and 12 months with nothing listed.
    months = _months([("2021-09", 12, 120, False), ("2022-09", 12, 0, True), ("2023-09", 24, 0, True)])
    months = [m for m in months if m["month"] < "2025-09"]
    wr = evaluate(_case(months))["work_requirement"]
    assert wr["frame"] == ["2020-09", "2025-08"]
    assert wr["qualifying_months_hours"] == 12


def test_flagged_month_that_qualifies_on_hours_counts():
    months = _months([("2023-09", 24, 120, True)])
    wr = evaluate(_case(months))["work_requirement"]
    assert wr["qualifying_months_hours"] == 24
    assert wr["frame"] == ["2023-09", "2025-08"]


def test_cap_limits_the_extension():
    months = _months([("2023-03", 6, 120, False), ("2023-09", 18, 0, True), ("2025-03", 6, 120, False)])
    result = evaluate(_case(months), Parameters(skippable_cap=3))
    assert result["work_requirement"]["frame"] == ["2023-06", "2025-08"]
    assert result["work_requirement"]["qualifying_months_hours"] == 9
    assert "R-1.17" in failed(result)


def test_income_route_is_not_extended_by_default():
    months = [{"month": m, "income": 30000, "skippable": False} for m in month_labels("2023-03", 6)]
    months += [{"month": m, "skippable": True} for m in month_labels("2023-09", 18)]
    months += [{"month": m, "income": 30000} for m in month_labels("2025-03", 6)]
    assert evaluate(_case(months))["work_requirement"]["qualifying_months_income"] == 6
    extended = evaluate(_case(months), Parameters(skippable_applies_to_income=True))
    assert extended["work_requirement"]["qualifying_months_income"] == 12
    assert extended["eligible"]
