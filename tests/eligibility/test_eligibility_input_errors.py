"""Malformed input is an error naming the field and the problem, never a refusal or a traceback."""

import pytest

from eligibility.rules import InputError, evaluate_data, parse_case

from .helpers import ooo_case


def _error(case):
    with pytest.raises(InputError) as info:
        parse_case(case)
    return info.value


def _with_month(**entry):
    return ooo_case(months=[dict({"month": "2024-03"}, **entry)])


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        (ooo_case(personnummer="19800510-1235"), "personnummer", "check digit"),
        (ooo_case(personnummer="1980-05-10"), "personnummer", "YYYYMMDD"),
        (ooo_case(birth_date="1980-02-30"), "birth_date", "not a date that exists"),
        (ooo_case(application_date="15/03/2025"), "application_date", "YYYY-MM-DD"),
        (ooo_case(application_date=None), "application_date", "missing"),
        (_with_month(month="2024-3"), "months[0].month", "YYYY-MM"),
        (_with_month(month="2024-13"), "months[0].month", "not a month"),
        (_with_month(hours=-1), "months[0].hours", "negative"),
        (_with_month(income=-0.5), "months[0].income", "negative"),
        (_with_month(hours="abc"), "months[0].hours", "number"),
        (_with_month(hours=744.01), "months[0].hours", "more than"),
        (
            ooo_case(months=[{"month": "2024-03", "hours": 1}, {"month": "2024-03", "hours": 2}]),
            "months[1].month",
            "more than once",
        ),
        (_with_month(month="2018-05", income=1000), "months[0].income", "2018"),
        (ooo_case(service="coaching"), "service", "unknown service"),
        (ooo_case(ruleset="tsl"), "ruleset", "unknown rule set"),
        (ooo_case(situation="pensionar"), "situation", "unknown situation"),
        (ooo_case(employer=None), "employer", "missing"),
        (ooo_case(employer={"active_in_sweden": True}), "employer.registered_with_skatteverket", "missing"),
        (
            ooo_case(
                employer={
                    "active_in_sweden": "yes",
                    "registered_with_skatteverket": True,
                    "kollektivavtal": False,
                    "finances_registered_organisation": False,
                }
            ),
            "employer.active_in_sweden",
            "true or false",
        ),
        (ooo_case(birth_date="2025-03-16"), "birth_date", "after the application date"),
        (ooo_case(personnummer="19800511-1235"), "birth_date", "disagrees"),
        (ooo_case(birth_date=None), "birth_date", "missing"),
        (ooo_case(was_ceo="no"), "was_ceo", "true or false"),
    ],
)
def test_error_names_field_and_problem(case, field, words):
    error = _error(case)
    assert error.field == field
    assert words in error.message
    assert str(error).startswith(field + ": ")


def test_hours_exactly_24_times_days_is_allowed():
    parse_case(_with_month(hours=744))


def test_egenforetagare_may_leave_out_the_employer():
    parse_case(ooo_case(service="yttrande", situation="egenforetagare", employer=None))


def test_evaluate_data_returns_the_error_object():
    result = evaluate_data(ooo_case(id="bad", service="coaching"))
    assert result["id"] == "bad"
    assert result["error"].startswith("service: unknown service 'coaching' for rule set ooo")
    assert set(result) == {"id", "error"}


def test_personnummer_alone_gives_the_birth_date():
    case = ooo_case(birth_date=None, personnummer="19800510-1236")
    assert parse_case(case).birth_date.isoformat() == "1980-05-10"
