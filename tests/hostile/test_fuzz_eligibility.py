"""Fuzzing the eligibility input (the JSON case of the CLI, the API and the pre-check): any input
is either evaluated or refused with an InputError that names a field; nothing else escapes."""

import datetime
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.rules import InputError, evaluate, parse_case

FIELDS = [
    "id",
    "ruleset",
    "service",
    "situation",
    "application_date",
    "birth_date",
    "personnummer",
    "employment_end_date",
    "employer",
    "was_ceo",
    "employed_by_spouse",
    "illness_special_needs",
    "months",
    "employment_rate",
    "employments",
]
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
plausible = {
    "ruleset": st.sampled_from(["ooo", "ciko", "OOO", "", "x"]),
    "service": st.sampled_from(["radgivning", "forstarkt_stod", "vagledning", "yttrande", "omstallningsersattning"]),
    "situation": st.sampled_from(["uppsagd_arbetsbrist", "anstalld", "egenforetagare", "tidsbegransad", "nej"]),
    "application_date": st.dates(min_value=datetime.date(1, 1, 1)).map(str) | st.text(max_size=12),
    "birth_date": st.dates().map(str) | st.text(max_size=12),
    "personnummer": st.from_regex(r"\A(19|20)?\d{6}[-+]?\d{4}\Z") | st.text(max_size=14),
    "employer": st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ["active_in_sweden", "registered_with_skatteverket", "kollektivavtal", "finances_registered_organisation"],
            json_scalars,
        ),
    ),
    "months": st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "month": st.text(max_size=8) | st.from_regex(r"\A\d{4}-\d{2}\Z"),
                "hours": json_scalars,
                "income": json_scalars,
                "skippable": json_scalars,
            },
        ),
        max_size=30,
    ),
}


def check(data):
    try:
        case = parse_case(data)
    except InputError as exc:
        assert exc.field and exc.message  # a refusal that names the field
        return
    result = evaluate(case)
    json.dumps(result, default=str)  # the outcome is reportable


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_value_is_evaluated_or_refused(data):
    check(data)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={k: plausible.get(k, json_values) for k in FIELDS}))
def test_plausible_cases_are_evaluated_or_refused(data):
    check(data)
