"""Turning the JSON case of ``eligibility-cli.md`` into normalised plain values.

:func:`parse_case` validates everything once, outside the hot loop, and returns a :class:`Case`
of ints, bools, tuples and ``datetime.date``. Hours are held in millionths of an hour and income in
öre (exact integers). Malformed input raises :class:`InputError` naming the field and the problem.

For speed, the months are also folded into three bit masks (bit ``k`` is the ``k``-th month before
the application month): qualifying on hours, qualifying on income and skippable. The qualifying
masks depend on the parameters' thresholds, so the case records which thresholds they were made
with (``mask_key``); the engine recomputes them from ``months`` when it is given other parameters.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, NamedTuple

from omstallning.core.identity import parse_personnummer

from .dates import days_in_month, month_index
from .params import DEFAULT_PARAMETERS, HOURS_DIGITS, HOURS_SCALE, INCOME_DIGITS, INCOME_SCALE, Parameters

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


#: the 16 possible employers, shared (and hashed once) by every case
_EMPLOYERS: dict[tuple, Employer] = {
    (a, b, c, d): Employer(a, b, c, d)
    for a in (False, True)
    for b in (False, True)
    for c in (False, True)
    for d in (False, True)
}


@dataclass(frozen=True, slots=True)
class Employment:
    start: datetime.date
    end: datetime.date
    rate: Fraction
    kfo_affiliated: bool


class Case(NamedTuple):
    """A normalised case (immutable; a named tuple because it is made once per case in bulk runs,
    and a frozen dataclass's ``__init__`` costs several times more).

    ``months_input`` is the validated JSON list of months (read again only when the case is
    evaluated with other thresholds than it was parsed with). ``hmask`` / ``imask`` / ``smask``:
    bit ``k`` set when the ``k``-th month before the application month qualifies on hours / on
    income / is skippable (``k`` = 0 is the month before). The first two were computed with the
    thresholds identified by ``mask_key`` (see :func:`thresholds_for`).
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
    months_input: list | None
    income_years: frozenset
    hmask: int
    imask: int
    smask: int
    mask_key: tuple
    employment_rate: Fraction | None
    employments: tuple[Employment, ...]

    @property
    def application_month(self) -> int:
        return self.application_date.year * 12 + self.application_date.month - 1


_DATES: dict[str, datetime.date] = {}


def parse_date(value: Any, field: str, *, required: bool = True) -> datetime.date | None:
    if type(value) is str:
        known = _DATES.get(value)  # memoised: the same dates recur across cases
        if known is not None:
            return known
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
        result = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise InputError(field, f"{value!r} is not a date that exists") from None
    if len(_DATES) < 100_000:
        _DATES[value] = result
    return result


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
    if kind is str and value.isascii() and value.isdigit():  # e.g. "165" from a form field
        return int(value) * scale
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
        get = employer_data.get
        facts = (
            get("active_in_sweden"),
            get("registered_with_skatteverket"),
            get("kollektivavtal"),
            get("finances_registered_organisation"),
        )
        if type(facts[0]) is bool and type(facts[1]) is bool and type(facts[2]) is bool and type(facts[3]) is bool:
            employer = _EMPLOYERS[facts]
    if employer is None and employer_data is not None:
        values = []
        for key in EMPLOYER_KEYS:
            if key not in employer_data or employer_data[key] is None:
                raise InputError(f"employer.{key}", "missing (true or false is required)")
            values.append(parse_bool(employer_data[key], f"employer.{key}"))
        employer = _EMPLOYERS[tuple(values)]

    was_ceo = parse_bool(data.get("was_ceo"), "was_ceo")
    spouse = parse_bool(data.get("employed_by_spouse"), "employed_by_spouse")
    illness = parse_bool(data.get("illness_special_needs"), "illness_special_needs")

    th = thresholds_for(params)
    months = data.get("months")
    income_years, hmask, imask, smask = _parse_months(months, th, app_date)

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
        months_input=months,
        income_years=income_years,
        hmask=hmask,
        imask=imask,
        smask=smask,
        mask_key=th.key,
        employment_rate=rate,
        employments=employments,
    )


class Thresholds:
    """Per-parameter-set values for parsing and the work requirement, made once per ``Parameters``.

    ``hthr``: smallest qualifying hours (µh) by month length; ``ithr``: smallest qualifying income
    (öre) by IBB year; ``key``: both as a hashable value (equal keys give equal qualifying masks);
    ``month_info``: memo 'YYYY-MM' -> (index, year, days, max µh, hours threshold, income threshold
    or None), None for a label that is not a month.
    """

    __slots__ = ("ithr", "hthr", "key", "month_info", "params")

    def __init__(self, params: Parameters):
        self.params = params
        self.hthr = params.hours_threshold_by_days
        self.ithr = params.income_threshold_by_year
        self.key = (tuple(self.hthr[d] for d in (28, 29, 30, 31)), tuple(sorted(self.ithr.items())))
        self.month_info = _MonthInfo(self.hthr, self.ithr)


class _MonthInfo(dict):
    def __init__(self, hthr: dict, ithr: dict):
        super().__init__()
        self.hthr = hthr
        self.ithr = ithr

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
        info = (month_index(year, month), year, days, 24 * days * HOURS_SCALE, self.hthr[days], self.ithr.get(year))
        if len(self) < 100_000:
            self[label] = info
        return info


_THRESHOLDS: dict[int, Thresholds] = {}


def thresholds_for(params: Parameters) -> Thresholds:
    """The :class:`Thresholds` of ``params``, cached by identity (parameters are frozen)."""
    th = _THRESHOLDS.get(id(params))
    if th is None or th.params is not params:
        th = Thresholds(params)
        if len(_THRESHOLDS) > 64:
            _THRESHOLDS.clear()
        _THRESHOLDS[id(params)] = th
    return th


#: float hours / kronor -> exact scaled int (memoised; the same values recur, e.g. 68.5 hours)
_HOURS_FLOATS: dict[float, int] = {}
_INCOME_FLOATS: dict[float, int] = {}


def _parse_months(raw: Any, th: Thresholds, app_date: datetime.date):
    """Validate the months and return (years with income, hours mask, income mask, skippable
    mask); see :class:`Case`. (A columnar variant with C-level ``map`` passes was tried: about 25
    passes over the list cost twice this one loop.)"""
    if raw is None:
        return frozenset(), 0, 0, 0
    if type(raw) is not list:
        raise InputError("months", "must be a list of month objects")
    return _parse_months_checked(raw, th, app_date)


def _parse_months_checked(raw: list, th: Thresholds, app_date: datetime.date):
    """:func:`_parse_months` item by item, with an :class:`InputError` naming the first problem."""
    last = app_date.year * 12 + app_date.month - 2  # index of the month before the application
    income_years = set()
    add_year = income_years.add
    info_of = th.month_info.__getitem__
    hours_floats = _HOURS_FLOATS
    income_floats = _INCOME_FLOATS
    hmask = imask = smask = 0
    seen = set()
    for pos, item in enumerate(raw):
        try:
            info = info_of(item["month"])
        except (TypeError, KeyError):
            info = None
        if info is None:
            _month_error(item, pos)
        idx, year, days, max_hours, hours_limit, income_limit = info
        if idx in seen:
            raise InputError(f"months[{pos}].month", f"{item['month']} is listed more than once")
        seen.add(idx)
        hours = item.get("hours")
        income = item.get("income")
        skippable = item.get("skippable", False)
        if skippable is not False and skippable is not True:
            if skippable is not None:
                raise InputError(f"months[{pos}].skippable", f"must be true or false, got {skippable!r}")
            skippable = False
        if income is not None:
            kind = type(income)
            if kind is int and income >= 0:
                income *= INCOME_SCALE
            elif kind is float and income in income_floats:
                income = income_floats[income]
            else:
                value = income
                income = _scaled(income, f"months[{pos}].income", INCOME_SCALE, INCOME_DIGITS, "kronor")
                if kind is float and len(income_floats) < 10_000:
                    income_floats[value] = income
            add_year(year)
        if hours is not None:
            kind = type(hours)
            if kind is int and hours >= 0:
                hours *= HOURS_SCALE
            elif kind is float and hours in hours_floats:
                hours = hours_floats[hours]
            else:
                value = hours
                hours = _scaled(hours, f"months[{pos}].hours", HOURS_SCALE, HOURS_DIGITS, "hours")
                if kind is float and len(hours_floats) < 20_000:
                    hours_floats[value] = hours
            if hours > max_hours:
                raise InputError(
                    f"months[{pos}].hours",
                    f"{Fraction(hours, HOURS_SCALE)} hours is more than {item['month']} can hold "
                    f"(24 × {days} = {24 * days})",
                )
        k = last - idx
        if k >= 0:
            if hours is not None and hours >= hours_limit:
                hmask |= 1 << k
            if income is not None and income_limit is not None and income >= income_limit:
                imask |= 1 << k
            if skippable:
                smask |= 1 << k
    if not income_years <= th.ithr.keys():
        for pos, item in enumerate(raw):
            year = th.month_info[item["month"]][1]
            if item.get("income") is not None and year not in th.ithr:
                raise InputError(
                    f"months[{pos}].income",
                    f"no inkomstbasbelopp for {year} in the table, so income in {item['month']} cannot be judged",
                )
    return frozenset(income_years), hmask, imask, smask


def masks_for(case: Case, th: Thresholds) -> tuple[int, int]:
    """The hours and income masks of ``case`` under other thresholds than it was parsed with
    (the months are read again from the case's input)."""
    if case.months_input is None:
        return 0, 0
    _, hmask, imask, _ = _parse_months_checked(case.months_input, th, case.application_date)
    return hmask, imask


def _month_error(item: Any, pos: int) -> None:
    if type(item) is not dict:
        raise InputError(f"months[{pos}]", "must be an object with month, hours, income, skippable")
    label = item.get("month")
    if isinstance(label, str) and _looks_like_month(label):
        raise InputError(f"months[{pos}].month", f"{label!r} is not a month that exists")
    raise InputError(f"months[{pos}].month", f"must be a month written YYYY-MM, got {label!r}")


def _looks_like_month(label: str) -> bool:
    return len(label) == 7 and label[4] == "-" and label.isascii() and label[:4].isdigit() and label[5:].isdigit()


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
