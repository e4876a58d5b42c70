"""R-1.12 / D1: eligible while the application date is before the 65th birthday."""

from eligibility.rules import Parameters, evaluate

from .helpers import failed, ooo_case


def _age_fails(birth, application):
    return "R-1.12" in failed(evaluate(ooo_case(birth_date=birth, application_date=application)))


def test_day_before_65th_birthday_passes():
    assert not _age_fails("1960-04-01", "2025-03-31")


def test_65th_birthday_fails():
    assert _age_fails("1960-04-01", "2025-04-01")


def test_born_29_february_turns_65_on_28_february_in_a_common_year():
    assert not _age_fails("1960-02-29", "2025-02-27")
    assert _age_fails("1960-02-29", "2025-02-28")


def test_born_29_february_ages_on_28_february_in_common_years_and_29_in_leap_years():
    from datetime import date

    from eligibility.rules.dates import age_on

    born = date(2000, 2, 29)
    assert age_on(born, date(2001, 2, 27)) == 0
    assert age_on(born, date(2001, 2, 28)) == 1
    assert age_on(born, date(2004, 2, 28)) == 3
    assert age_on(born, date(2004, 2, 29)) == 4


def test_max_age_is_a_parameter():
    result = evaluate(ooo_case(birth_date="1960-04-01", application_date="2025-04-01"), Parameters(max_age=65))
    assert "R-1.12" not in failed(result)
