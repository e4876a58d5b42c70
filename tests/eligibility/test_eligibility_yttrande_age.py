"""R-1.40 / D10: yttrande age 27–62 counted by calendar year (year of request − year of birth)."""

from eligibility.rules import Parameters, evaluate

from .helpers import failed


def _yttrande(birth, application, **params):
    case = {
        "id": "y",
        "service": "yttrande",
        "situation": "egenforetagare",
        "birth_date": birth,
        "application_date": application,
    }
    return evaluate(case, Parameters(**params))


def test_turning_27_later_in_the_year_counts_as_27():
    assert _yttrande("1998-12-31", "2025-01-02")["eligible"]


def test_26_by_calendar_year_fails():
    assert "R-1.40" in failed(_yttrande("1999-01-01", "2025-12-31"))


def test_62_by_calendar_year_passes_even_after_the_birthday_is_63_exact():
    assert _yttrande("1963-01-01", "2025-12-31")["eligible"]  # exact 62, calendar 62
    assert "R-1.40" in failed(_yttrande("1962-12-31", "2025-01-01"))  # exact 62, calendar 63


def test_exact_age_method_is_a_setting():
    # Born 1998-11-15, request 2025-10-01: calendar-year 27, exact 26 (rules.md example 10d).
    assert _yttrande("1998-11-15", "2025-10-01")["eligible"]
    assert "R-1.40" in failed(_yttrande("1998-11-15", "2025-10-01", yttrande_age_method="exact"))


def test_yttrande_has_no_work_requirement():
    result = _yttrande("1985-08-20", "2025-10-05")
    assert [r["rule"] for r in result["reasons"]] == ["R-1.40"]
    assert "work_requirement" not in result
