"""Property-based invariants of the work requirement (hypothesis)."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.rules import Parameters, evaluate

from .helpers import month_labels, ooo_case

HOURS = st.one_of(st.none(), st.sampled_from([0, 40, 63.99, 64, 66.29, 68.57, 70.86, 71, 120, 160]))
INCOME = st.one_of(st.none(), st.sampled_from([0, 15000, 18575, 19049, 19050, 20150, 21000, 40000]))


@st.composite
def cases(draw, skippable=True):
    year = draw(st.integers(2022, 2026))
    month = draw(st.integers(1, 12))
    app = f"{year}-{month:02d}-{draw(st.integers(1, 28)):02d}"
    labels = month_labels(f"{year - 3}-{month:02d}", 36)
    chosen = draw(st.lists(st.sampled_from(labels), unique=True, max_size=36))
    months = []
    for label in chosen:
        entry = {"month": label, "hours": draw(HOURS), "income": draw(INCOME)}
        if skippable and draw(st.integers(0, 9)) == 0:
            entry["skippable"] = True
        months.append(entry)
    service = draw(st.sampled_from(["radgivning", "vagledning"]))
    situation = "anstalld" if service == "vagledning" else "uppsagd_arbetsbrist"
    return ooo_case(
        application_date=app,
        service=service,
        situation=situation,
        employment_end_date=f"{year + 1}-01-31",
        birth_date="1980-05-10",
        months=months,
    )


PARAMS = st.sampled_from([Parameters(), Parameters(combine_mode="per_month_either"), Parameters(skippable_cap=2)])


@settings(max_examples=300, deadline=None)
@given(cases(), PARAMS, st.data())
def test_an_extra_qualifying_month_never_turns_a_pass_into_a_fail(case, params, data):
    before = evaluate(case, params)
    app = case["application_date"]
    frame = month_labels(f"{int(app[:4]) - 2}-{app[5:7]}", 24)
    listed = {m["month"] for m in case["months"]}
    free = [label for label in frame if label not in listed]
    if not free:
        return
    label = data.draw(st.sampled_from(free))
    kind = data.draw(st.sampled_from(["hours", "income"]))
    extra = {"month": label, "hours": 200} if kind == "hours" else {"month": label, "income": 50000}
    after = evaluate(dict(case, months=case["months"] + [extra]), params)
    if before["eligible"]:
        assert after["eligible"]
    wr0, wr1 = before["work_requirement"], after["work_requirement"]
    assert wr1["qualifying_months_hours"] >= wr0["qualifying_months_hours"]
    assert wr1["qualifying_months_income"] >= wr0["qualifying_months_income"]


def _shift(label, k):
    y, m = int(label[:4]), int(label[5:7])
    idx = y * 12 + m - 1 + k
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


@settings(max_examples=200, deadline=None)
@given(cases(skippable=False), st.sampled_from([-1, 1]))
def test_moving_the_application_date_one_month_moves_the_frame_one_month(case, k):
    app = case["application_date"]
    moved = dict(case, application_date=_shift(app, k) + app[7:])
    f0 = evaluate(case)["work_requirement"]["frame"]
    f1 = evaluate(moved)["work_requirement"]["frame"]
    assert f1 == [_shift(f0[0], k), _shift(f0[1], k)]
    assert f0[1] == _shift(app, -1)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_strict_never_depends_on_mixing_routes(case):
    params = Parameters()
    whole = evaluate(case, params)
    hours_only = evaluate(dict(case, months=[dict(m, income=None) for m in case["months"]]), params)
    income_only = evaluate(dict(case, months=[dict(m, hours=None) for m in case["months"]]), params)
    wr = whole["work_requirement"]
    assert wr["qualifying_months_hours"] == hours_only["work_requirement"]["qualifying_months_hours"]
    assert wr["qualifying_months_income"] == income_only["work_requirement"]["qualifying_months_income"]
    assert whole["eligible"] == (hours_only["eligible"] or income_only["eligible"])


@settings(max_examples=300, deadline=None)
@given(cases(), PARAMS, st.randoms(use_true_random=False))
def test_result_is_independent_of_month_order(case, params, rnd: random.Random):
    shuffled = list(case["months"])
    rnd.shuffle(shuffled)
    assert evaluate(dict(case, months=shuffled), params) == evaluate(case, params)
