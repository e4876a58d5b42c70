"""Parameters: documented defaults and a lossless JSON round trip (stored with each evaluation)."""

import json
from datetime import date
from fractions import Fraction

from eligibility.rules import DEFAULT_PARAMETERS, Parameters


def test_defaults_follow_decisions_md():
    p = Parameters()
    assert p.max_age == 64
    assert p.frame_months == 24
    assert p.hours_per_week == 16
    assert p.income_share == Fraction(1, 4)
    assert p.combine_mode == "strict"
    assert p.skippable_cap is None
    assert p.skippable_applies_to_income is False
    assert p.earliest_end_date == date(2022, 10, 1)
    assert (p.yttrande_min_age, p.yttrande_max_age) == (27, 62)
    assert p.contact_deadline_days == 7
    assert p.ibb == {
        2019: 64400,
        2020: 66800,
        2021: 68200,
        2022: 71000,
        2023: 74300,
        2024: 76200,
        2025: 80600,
        2026: 83400,
    }


def test_json_round_trip():
    p = Parameters(income_share="0.3", skippable_cap=6, combine_mode="per_month_either", ibb={2025: 80600})
    data = json.loads(json.dumps(p.to_dict()))
    assert data["income_share"] == "0.3"
    assert Parameters.from_dict(data) == p
    assert Parameters.from_dict(DEFAULT_PARAMETERS.to_dict()) == DEFAULT_PARAMETERS


def test_unknown_combine_mode_is_rejected():
    import pytest

    with pytest.raises(ValueError):
        Parameters(combine_mode="lenient")
