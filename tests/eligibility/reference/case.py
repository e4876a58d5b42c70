"""Turning the JSON case of ``eligibility-cli.md`` into normalised plain values.

:func:`parse_case` validates everything once, outside the hot loop, and returns a :class:`Case`
of ints, bools, tuples and ``datetime.date``. Hours are held in millionths of an hour and income in
öre (exact integers). Malformed input raises :class:`InputError` naming the field and the problem.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from eligibility.rules.dates import days_in_month, month_index
from eligibility.rules.params import (
    DEFAULT_PARAMETERS,
    HOURS_DIGITS,
    HOURS_SCALE,
    INCOME_DIGITS,
    INCOME_SCALE,
    Parameters,
)
from omstallning.core.identity import parse_personnummer

RULESETS = ("ooo", "ciko")
SERVICES = {
    "ooo": ("radgivning", "forstarkt_stod", "vagledning", "yttrande"),
    "ciko": ("omstallningsstod", "omstallningsersattning"),
}
SITUATIONS = (
    "uppsagd_arbetsbrist",
    "uppsagd_sjukdom",
    "tidsbegransad",
    "anstalld",
    "egenforetagare",
    "egen_uppsagning",
)
EMPLOYER_KEYS = (
    "active_in_sweden",
    "registered_with_skatteverket",
    "kollektivavtal",
    "finances_registered_organisation",
)

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class InputError(ValueError):
    """A case that cannot be evaluated: ``field`` names the input field, ``message`` the problem."""

    def __init__(self, field: str, message: str):
        super().__init__(field, message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Employer:
    active_in_sweden: bool
    registered_with_skatteverket: bool
    kollektivavtal: bool
    finances_registered_organisation: bool


@dataclass(frozen=True, slots=True)
class Employment:
    start: datetime.date
    end: datetime.date
    rate: Fraction
    kfo_affiliated: bool


@dataclass(frozen=True, slots=True)
class Case:
    """A normalised case.

    ``months`` maps month index -> (hours µh | None, income öre | None, skippable, days, year,
    weekly µh | -1, hours | -1, income | -1).
    """

    id: Any
    ruleset: str
    service: str
    application_date: datetime.date
    birth_date: datetime.date
    situation: str
    employment_end_date: datetime.date | None
    employer: Employer | None
    was_ceo: bool
    employed_by_spouse: bool
    illness_special_needs: bool
    months: dict[int, tuple[int | None, int | None, bool]]
    min_month: int  # smallest month index listed (application month if none)
    #: the months from the one before the application month backwards to ``min_month``
    seqs: MonthSeqs
    employment_rate: Fraction | None
    employments: tuple[Employment, ...]

    @property
    def application_month(self) -> int:
        return self.application_date.year * 12 + self.application_date.month - 1


def parse_date(value: Any, field: str, *, required: bool = True) -> datetime.date | None:
    if value is None:
        if required:
            raise InputError(field, "missing (a date YYYY-MM-DD is required)")
        return None
    if not isinstance(value, str):
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        raise InputError(field, f"must be a date written YYYY-MM-DD, got {value!r}")
    m = _DATE_RE.match(value.strip())
    if not m:
        raise InputError(field, f"must be a date written YYYY-MM-DD, got {value!r}")
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise InputError(field, f"{value!r} is not a date that exists") from None


def parse_bool(value: Any, field: str, *, default: bool | None = False) -> bool:
    if value is None:
        if default is None:
            raise InputError(field, "missing (true or false is required)")
        return default
    if not isinstance(value, bool):
        raise InputError(field, f"must be true or false, got {value!r}")
    return value


def parse_number(value: Any, field: str) -> Fraction:
    """An exact non-negative number from int, float, Decimal or numeric string."""
    if isinstance(value, bool):
        raise InputError(field, f"must be a number, got {value!r}")
    if isinstance(value, int):
        result = Fraction(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(field, "must be a finite number")
        result = Fraction(repr(value))
    elif isinstance(value, Decimal | str):
        try:
            dec = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise InputError(field, f"must be a number, got {value!r}") from None
        if not dec.is_finite():
            raise InputError(field, "must be a finite number")
        result = Fraction(dec)
    elif isinstance(value, Fraction):
        result = value
    else:
        raise InputError(field, f"must be a number, got {value!r}")
    if result < 0:
        raise InputError(field, f"must not be negative, got {value}")
    return result


def _scaled(value: Any, field: str, scale: int, digits: int, what: str) -> int:
    """``value`` × ``scale`` as an exact int (``scale`` = 10 ** ``digits``); fast paths for int and float."""
    kind = type(value)
    if kind is int:
        if value < 0:
            raise InputError(field, f"must not be negative, got {value}")
        return value * scale
    if kind is float and math.isfinite(value):
        if value < 0:
            raise InputError(field, f"must not be negative, got {value}")
        if value.is_integer():
            return int(value) * scale
        text = repr(value)
        if "e" not in text:
            whole, _, frac = text.partition(".")
            if len(frac) <= digits:
                return int(whole) * scale + int(frac.ljust(digits, "0"))
    num = parse_number(value, field) * scale
    if num.denominator != 1:
        raise InputError(field, f"too many decimals (at most {digits} for {what})")
    return num.numerator


def parse_case(data: Any, params: Parameters = DEFAULT_PARAMETERS) -> Case:
    """Validate one JSON case and return a :class:`Case`; raises :class:`InputError`."""
    if not isinstance(data, dict):
        raise InputError("case", "each case must be a JSON object")
    case_id = data.get("id")

    ruleset = data.get("ruleset")
    if ruleset is None:
        ruleset = "ooo"
    if ruleset not in RULESETS:
        raise InputError("ruleset", f"unknown rule set {ruleset!r} (expected one of {', '.join(RULESETS)})")

    service = data.get("service")
    if service is None:
        raise InputError("service", "missing")
    if service not in SERVICES[ruleset]:
        raise InputError(
            "service", f"unknown service {service!r} for rule set {ruleset} (expected {', '.join(SERVICES[ruleset])})"
        )

    situation = data.get("situation")
    if situation is None:
        raise InputError("situation", "missing")
    if situation not in SITUATIONS:
        raise InputError("situation", f"unknown situation {situation!r} (expected one of {', '.join(SITUATIONS)})")

    app_date = parse_date(data.get("application_date"), "application_date")

    birth = parse_date(data.get("birth_date"), "birth_date", required=False)
    pnr = data.get("personnummer")
    if pnr is not None and pnr != "":
        try:
            parsed = parse_personnummer(pnr, on_date=app_date)
        except ValueError as exc:
            raise InputError("personnummer", str(exc)) from None
        if birth is not None and birth != parsed.birth_date:
            raise InputError(
                "birth_date",
                f"{birth.isoformat()} disagrees with the personnummer (born {parsed.birth_date.isoformat()})",
            )
        birth = parsed.birth_date
    if birth is None:
        raise InputError("birth_date", "missing (give birth_date or personnummer)")
    if birth > app_date:
        raise InputError("birth_date", f"{birth.isoformat()} is after the application date {app_date.isoformat()}")

    end_date = parse_date(data.get("employment_end_date"), "employment_end_date", required=False)

    employer_data = data.get("employer")
    employer = None
    if employer_data is None:
        if situation != "egenforetagare":
            raise InputError("employer", "missing (required unless the situation is egenforetagare)")
    elif not isinstance(employer_data, dict):
        raise InputError("employer", "must be an object with the four employer facts")
    else:
        values = []
        for key in EMPLOYER_KEYS:
            if key not in employer_data or employer_data[key] is None:
                raise InputError(f"employer.{key}", "missing (true or false is required)")
            values.append(parse_bool(employer_data[key], f"employer.{key}"))
        employer = Employer(*values)

    was_ceo = parse_bool(data.get("was_ceo"), "was_ceo")
    spouse = parse_bool(data.get("employed_by_spouse"), "employed_by_spouse")
    illness = parse_bool(data.get("illness_special_needs"), "illness_special_needs")

    months, min_month, income_years = _parse_months(data.get("months"), params, app_date)

    rate = None
    raw_rate = data.get("employment_rate")
    if raw_rate is not None:
        rate = parse_number(raw_rate, "employment_rate")
        if rate > 1:
            raise InputError("employment_rate", f"must be between 0 and 1, got {raw_rate}")
    employments = _parse_employments(data.get("employments"))

    if ruleset == "ciko" and service == "omstallningsersattning":
        if rate is None:
            raise InputError("employment_rate", "missing (needed for omställningsersättning)")
        if end_date is not None:
            year = end_date.year if params.ciko_ose_ibb_year == "end_of_employment" else app_date.year
            if year not in params.ibb:
                raise InputError(
                    "employment_end_date", f"no inkomstbasbelopp for {year} in the table (fill it in first)"
                )

    return Case(
        id=case_id,
        ruleset=ruleset,
        service=service,
        application_date=app_date,
        birth_date=birth,
        situation=situation,
        employment_end_date=end_date,
        employer=employer,
        was_ceo=was_ceo,
        employed_by_spouse=spouse,
        illness_special_needs=illness,
        months=months,
        min_month=min_month,
        seqs=month_sequences(months, app_date.year * 12 + app_date.month - 1, min_month, income_years),
        employment_rate=rate,
        employments=employments,
    )


class _MonthInfo(dict):
    """'YYYY-MM' -> (index, year, days) for valid labels; memoised (labels repeat a lot)."""

    def __missing__(self, label):
        if not (
            type(label) is str
            and len(label) == 7
            and label[4] == "-"
            and label.isascii()
            and label[:4].isdigit()
            and label[5:].isdigit()
        ):
            return None
        year, month = int(label[:4]), int(label[5:])
        if not 1 <= month <= 12 or year < 1:
            return None
        days = days_in_month(year, month)
        info = (month_index(year, month), year, days, 24 * days * HOURS_SCALE)
        if len(self) < 100_000:
            self[label] = info
        return info


_MONTH_INFO = _MonthInfo()


def _parse_months(raw: Any, params: Parameters, app_date: datetime.date):
    """Returns (months dict, min_month, years with income); see ``Case.months`` for the values."""
    months: dict[int, tuple] = {}
    app_idx = app_date.year * 12 + app_date.month - 1
    if raw is None:
        return months, app_idx, frozenset()
    if type(raw) is not list:
        raise InputError("months", "must be a list of month objects")
    income_years = set()
    add_year = income_years.add
    info_of = _MONTH_INFO.__getitem__
    for pos, item in enumerate(raw):
        try:
            info = info_of(item["month"])
        except (TypeError, KeyError):
            info = None
        if info is None:
            _month_error(item, pos)
        idx, year, days, max_hours = info
        if idx in months:
            raise InputError(f"months[{pos}].month", f"{item['month']} is listed more than once")
        hours = item.get("hours")
        income = item.get("income")
        skippable = item.get("skippable", False)
        if skippable is not False and skippable is not True:
            if skippable is not None:
                raise InputError(f"months[{pos}].skippable", f"must be true or false, got {skippable!r}")
            skippable = False
        if income is None:
            income_col = -1
        else:
            if type(income) is int and income >= 0:
                income *= INCOME_SCALE
            else:
                income = _scaled(income, f"months[{pos}].income", INCOME_SCALE, INCOME_DIGITS, "kronor")
            income_col = income
            add_year(year)
        if hours is None:
            months[idx] = (None, income, skippable, days, year, -1, -1, income_col)
        else:
            if type(hours) is int and hours >= 0:
                hours *= HOURS_SCALE
            else:
                hours = _scaled(hours, f"months[{pos}].hours", HOURS_SCALE, HOURS_DIGITS, "hours")
            if hours > max_hours:
                raise InputError(
                    f"months[{pos}].hours",
                    f"{Fraction(hours, HOURS_SCALE)} hours is more than {item['month']} can hold "
                    f"(24 × {days} = {24 * days})",
                )
            months[idx] = (hours, income, skippable, days, year, hours * 7 // days, hours, income_col)
    if not income_years <= params.ibb.keys():
        for pos, item in enumerate(raw):
            year = _MONTH_INFO[item["month"]][1]
            if item.get("income") is not None and year not in params.ibb:
                raise InputError(
                    f"months[{pos}].income",
                    f"no inkomstbasbelopp for {year} in the table, so income in {item['month']} cannot be judged",
                )
    min_month = min(months) if months else app_idx
    return months, min(min_month, app_idx), frozenset(income_years)


def _month_error(item: Any, pos: int) -> None:
    if type(item) is not dict:
        raise InputError(f"months[{pos}]", "must be an object with month, hours, income, skippable")
    label = item.get("month")
    if isinstance(label, str) and _looks_like_month(label):
        raise InputError(f"months[{pos}].month", f"{label!r} is not a month that exists")
    raise InputError(f"months[{pos}].month", f"must be a month written YYYY-MM, got {label!r}")


def _looks_like_month(label: str) -> bool:
    return len(label) == 7 and label[4] == "-" and label.isascii() and label[:4].isdigit() and label[5:].isdigit()


@dataclass(frozen=True, slots=True)
class MonthSeqs:
    """Column-wise month data from the month before the application backwards (for the hot loop).

    Missing values are -1. ``weekly`` is floor(hours × 7 / days) in µh, exact for comparing with an
    integer weekly limit.
    """

    seq: tuple  # (hours | None, income | None, skippable, days, year, weekly, hours | -1, income | -1)
    hours: tuple
    weekly: tuple
    income: tuple
    year_runs: tuple  # ((year, number of consecutive months), ...) in the same order
    skippable: tuple
    has_skippable: bool
    skip_positions: tuple  # offsets of the skippable months, ascending
    income_years: frozenset


_EMPTY = (None, None, False, 0, 0, -1, -1, -1)


def month_sequences(months: dict, app_idx: int, min_month: int, income_years: frozenset) -> MonthSeqs:
    get = months.get
    vals = [get(i, _EMPTY) for i in range(app_idx - 1, min_month - 1, -1)]
    skips = tuple([v[2] for v in vals])
    runs = []
    idx = app_idx - 1
    while idx >= min_month:
        year = idx // 12
        start = max(year * 12, min_month)
        runs.append((year, idx - start + 1))
        idx = start - 1
    return MonthSeqs(
        seq=tuple(vals),
        hours=tuple([v[6] for v in vals]),
        weekly=tuple([v[5] for v in vals]),
        income=tuple([v[7] for v in vals]),
        year_runs=tuple(runs),
        skippable=skips,
        has_skippable=True in skips,
        skip_positions=tuple([i for i, sk in enumerate(skips) if sk]) if True in skips else (),
        income_years=income_years,
    )


def _parse_employments(raw: Any) -> tuple[Employment, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError("employments", "must be a list of employment objects")
    out = []
    for pos, item in enumerate(raw):
        where = f"employments[{pos}]"
        if not isinstance(item, dict):
            raise InputError(where, "must be an object with start, end, rate, kfo_affiliated")
        start = parse_date(item.get("start"), f"{where}.start")
        end = parse_date(item.get("end"), f"{where}.end")
        if end < start:
            raise InputError(f"{where}.end", f"{end.isoformat()} is before the start {start.isoformat()}")
        if item.get("rate") is None:
            raise InputError(f"{where}.rate", "missing (a number between 0 and 1)")
        rate = parse_number(item.get("rate"), f"{where}.rate")
        if rate > 1:
            raise InputError(f"{where}.rate", f"must be between 0 and 1, got {item.get('rate')}")
        affiliated = parse_bool(item.get("kfo_affiliated"), f"{where}.kfo_affiliated", default=None)
        out.append(Employment(start, end, rate, affiliated))
    return tuple(out)
