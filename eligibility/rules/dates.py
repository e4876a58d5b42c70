"""Calendar arithmetic shared by the rules (pure Python).

Months are plain integers ``year * 12 + (month - 1)`` so the hot loop needs no date objects.
A period that ends on a day the target month lacks ends on that month's last day (lag (1930:173)
om beräkning av lagstadgad tid), which also makes someone born on 29 February have their birthday
on 28 February in common years (decisions.md D1).
"""

from __future__ import annotations

import datetime

_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and is_leap(year):
        return 29
    return _DAYS[month - 1]


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def index_days(idx: int) -> int:
    return days_in_month(idx // 12, idx % 12 + 1)


def month_label(idx: int) -> str:
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def add_months(d: datetime.date, months: int) -> datetime.date:
    """Same day number ``months`` later (or earlier), clamped to the month's last day."""
    idx = d.year * 12 + d.month - 1 + months
    year, month = divmod(idx, 12)
    month += 1
    return datetime.date(year, month, min(d.day, days_in_month(year, month)))


def add_years(d: datetime.date, years: int) -> datetime.date:
    return add_months(d, 12 * years)


def birthday(birth: datetime.date, age: int) -> datetime.date:
    """The date on which someone born on ``birth`` turns ``age``."""
    return add_years(birth, age)


def age_on(birth: datetime.date, on: datetime.date) -> int:
    """Completed years on ``on`` (29 February birthdays fall on 28 February in common years)."""
    age = on.year - birth.year
    bday = (2, 28) if birth.month == 2 and birth.day == 29 and not is_leap(on.year) else (birth.month, birth.day)
    if (on.month, on.day) < bday:
        age -= 1
    return age
