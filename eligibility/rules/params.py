"""Policy parameters of the eligibility rule sets (``decisions.md``: every item marked *setting*).

A :class:`Parameters` is a frozen, plain-value dataclass: the engine never reads the database. The
Django side (``eligibility.selectors.current_parameters``) converts the admin-editable rows into
one of these. ``to_dict``/``from_dict`` give a JSON-safe form that a stored evaluation keeps, so a
decision can be shown and re-run exactly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from functools import cached_property
from typing import Any

#: Inkomstbasbelopp per year, rules.md §3 (2026 per decisions.md D15: 83 400, to be checked).
DEFAULT_IBB: dict[int, int] = {
    2019: 64_400,
    2020: 66_800,
    2021: 68_200,
    2022: 71_000,
    2023: 74_300,
    2024: 76_200,
    2025: 80_600,
    2026: 83_400,
}

COMBINE_STRICT = "strict"
COMBINE_PER_MONTH_EITHER = "per_month_either"
COMBINE_MODES = (COMBINE_STRICT, COMBINE_PER_MONTH_EITHER)

HOURS_METHOD_DAYS = "days_in_month"  # hours >= hours_per_week * days / 7 (D3)
HOURS_METHOD_FIXED_WEEKS = "fixed_weeks"  # hours >= hours_per_week * weeks_per_month
HOURS_METHODS = (HOURS_METHOD_DAYS, HOURS_METHOD_FIXED_WEEKS)

AGE_CALENDAR_YEAR = "calendar_year"  # year(application) - year(birth) (D10)
AGE_EXACT = "exact"  # completed years on the application date
AGE_METHODS = (AGE_CALENDAR_YEAR, AGE_EXACT)

CIKO_IBB_END_YEAR = "end_of_employment"  # C-D4
CIKO_IBB_APPLICATION_YEAR = "application"
CIKO_IBB_YEARS = (CIKO_IBB_END_YEAR, CIKO_IBB_APPLICATION_YEAR)

#: Hours are kept as integers in millionths of an hour, kronor in öre: exact and fast.
HOURS_DIGITS = 6
HOURS_SCALE = 10**HOURS_DIGITS
INCOME_DIGITS = 2
INCOME_SCALE = 10**INCOME_DIGITS


def _ceil_div(num: int, den: int) -> int:
    return -((-num) // den)


@dataclass(frozen=True)
class Parameters:
    """Every policy setting of the ``ooo`` and ``ciko`` rule sets, with the documented defaults."""

    # --- ooo (the public organisation) ---
    #: D1 / R-1.12: eligible while the application date is before the (max_age + 1)th birthday.
    max_age: int = 64
    #: D2 / R-1.21: complete calendar months before the application month.
    frame_months: int = 24
    #: R-1.17: qualifying months needed within the frame.
    required_months: int = 12
    #: D3 / R-1.20: average weekly hours in a calendar month.
    hours_per_week: Fraction = Fraction(16)
    #: D3: ``days_in_month`` (h >= 16 * days / 7) or ``fixed_weeks`` (h >= 16 * weeks_per_month).
    hours_method: str = HOURS_METHOD_DAYS
    #: Only used by ``fixed_weeks``.
    weeks_per_month: Fraction = Fraction("4.33")
    #: D4 / R-1.18: share of the IBB of the month's year.
    income_share: Fraction = Fraction(1, 4)
    #: D4 / §3: inkomstbasbelopp per calendar year (data with a source in the database).
    ibb: dict[int, int] = field(default_factory=lambda: dict(DEFAULT_IBB), hash=False)
    #: D5 / R-1.22: ``strict`` (12 months within one route) or ``per_month_either``.
    combine_mode: str = COMBINE_STRICT
    #: D6 / R-1.19a: most months that may be skipped (None: no cap).
    skippable_cap: int | None = None
    #: D6 / R-1.19b: whether skippable months also extend the income route's frame.
    skippable_applies_to_income: bool = False
    #: D9 / R-1.15: the employment must end on or after this date.
    earliest_end_date: datetime.date = datetime.date(2022, 10, 1)
    #: D9 / R-1.31: earliest application, in days before the end date (None: no window).
    application_window_days: int | None = None
    #: D10 / R-1.40: yttrande age limits and how age is counted.
    yttrande_min_age: int = 27
    yttrande_max_age: int = 62
    yttrande_age_method: str = AGE_CALENDAR_YEAR
    #: D12 / R-4.4: contact deadline after the grant decision, calendar days.
    contact_deadline_days: int = 7
    #: D13 / R-1.5: applicants whose employment ends go first when funds are short.
    priority_ending_first: bool = True
    #: D14 / R-1.34, R-1.35: duration of support, months.
    vagledning_max_months: int = 3
    support_max_months: int = 12

    # --- ciko (KFO–LO agreement) ---
    #: C-D1: 68 or younger on the application date.
    ciko_max_age: int = 68
    #: C-D1: application within this many calendar months after the end of employment.
    ciko_application_months: int = 18
    #: C-D2: minimum employment rate of each employment in the continuous run.
    ciko_min_rate: Fraction = Fraction(2, 5)
    #: C-D2 / C-2: continuous months for arbetsbrist or illness.
    ciko_continuous_months: int = 12
    #: C-D2 / C-3: continuous months when a fixed-term employment ended.
    ciko_continuous_months_fixed_term: int = 24
    #: C-D3 / C-4: omställningsersättning minimum age on the last day of employment.
    ciko_ose_min_age: int = 40
    #: C-D3 / C-4: affiliated months needed within the look-back years.
    ciko_ose_months: int = 50
    ciko_ose_lookback_years: int = 5
    #: C-8: "med månad menas 30 dagar".
    ciko_days_per_month: int = 30
    #: C-D4 / C-5: share of the IBB paid once, and which year's IBB.
    ciko_ose_share: Fraction = Fraction(1, 2)
    ciko_ose_ibb_year: str = CIKO_IBB_END_YEAR

    def __post_init__(self) -> None:
        for name in ("hours_per_week", "weeks_per_month", "income_share", "ciko_min_rate", "ciko_ose_share"):
            value = getattr(self, name)
            if not isinstance(value, Fraction):
                object.__setattr__(self, name, to_fraction(value))
        if isinstance(self.earliest_end_date, str):
            object.__setattr__(self, "earliest_end_date", datetime.date.fromisoformat(self.earliest_end_date))
        object.__setattr__(self, "ibb", {int(y): int(v) for y, v in dict(self.ibb).items()})
        if self.combine_mode not in COMBINE_MODES:
            raise ValueError(f"combine_mode must be one of {COMBINE_MODES}")
        if self.hours_method not in HOURS_METHODS:
            raise ValueError(f"hours_method must be one of {HOURS_METHODS}")
        if self.yttrande_age_method not in AGE_METHODS:
            raise ValueError(f"yttrande_age_method must be one of {AGE_METHODS}")
        if self.ciko_ose_ibb_year not in CIKO_IBB_YEARS:
            raise ValueError(f"ciko_ose_ibb_year must be one of {CIKO_IBB_YEARS}")

    # ----- precomputed integer thresholds (kept off the hot loop) -----
    @cached_property
    def hours_threshold_by_days(self) -> dict[int, int]:
        """Smallest qualifying hours (in 1/HOURS_SCALE h) for a month of 28, 29, 30 or 31 days."""
        out = {}
        for days in (28, 29, 30, 31):
            if self.hours_method == HOURS_METHOD_DAYS:
                limit = self.hours_per_week * days / 7
            else:
                limit = self.hours_per_week * self.weeks_per_month
            limit *= HOURS_SCALE
            out[days] = _ceil_div(limit.numerator, limit.denominator)
        return out

    @cached_property
    def income_threshold_by_year(self) -> dict[int, int]:
        """Smallest qualifying income (öre) per IBB year: ceil(share × IBB)."""
        out = {}
        for year, amount in self.ibb.items():
            limit = self.income_share * amount * INCOME_SCALE
            out[year] = _ceil_div(limit.numerator, limit.denominator)
        return out

    def hours_limit(self, days: int) -> Fraction:
        """The exact hours limit for a month of ``days`` days (for explanations)."""
        if self.hours_method == HOURS_METHOD_DAYS:
            return self.hours_per_week * days / 7
        return self.hours_per_week * self.weeks_per_month

    def income_limit(self, year: int) -> Fraction:
        return self.income_share * self.ibb[year]

    # ----- serialisation -----
    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (fractions as decimal strings where exact, dates ISO, IBB keys str)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Fraction):
                value = fraction_to_str(value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            elif f.name == "ibb":
                value = {str(y): v for y, v in sorted(value.items())}
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Parameters:
        """Inverse of :meth:`to_dict`; unknown keys are ignored, missing keys take the default."""
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        return cls(**kwargs)

    def replace(self, **changes: Any) -> Parameters:
        return replace(self, **changes)


def to_fraction(value: Any) -> Fraction:
    """Exact Fraction from int, str, Decimal or float (a float is read as its shortest repr)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, Fraction | int):
        return Fraction(value)
    return Fraction(str(value))


def fraction_to_str(value: Fraction) -> str:
    """'0.25' for exact decimals, otherwise 'n/d'."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator))
    if places == 0:
        return sign + digits
    digits = digits.rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


DEFAULT_PARAMETERS = Parameters()
