"""The advisors' policy parameters (D12, D14), each a named setting with its default.

Change them in settings (e.g. ``ADVISORS_CONTACT_DEADLINE_DAYS = 5``) without touching code. The
values in force are read at call time, so tests can override them with pytest-django's
``settings`` fixture.
"""

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings

DEFAULTS = {
    # D12: a granted applicant is contacted within 7 calendar days of the grant decision.
    "ADVISORS_CONTACT_DEADLINE_DAYS": 7,
    # The advisor is reminded once when this many days are left before the contact deadline.
    "ADVISORS_REMINDER_DAYS_BEFORE": 2,
    # D14: vägledning lasts up to 3 months; every service at most 12 months from the grant.
    "ADVISORS_SUPPORT_MONTHS": {"vagledning": 3},
    "ADVISORS_MAX_SUPPORT_MONTHS": 12,
    # The advisor and the case officer are warned this many days before the support ends.
    "ADVISORS_END_WARNING_DAYS": 14,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def contact_deadline_days() -> int:
    return int(get("ADVISORS_CONTACT_DEADLINE_DAYS"))


def contact_deadline(granted_at: datetime) -> datetime:
    """D12: the deadline is the grant decision's time plus N calendar days."""
    return granted_at + timedelta(days=contact_deadline_days())


def reminder_window() -> timedelta:
    return timedelta(days=int(get("ADVISORS_REMINDER_DAYS_BEFORE")))


def support_months(service: str) -> int:
    maximum = int(get("ADVISORS_MAX_SUPPORT_MONTHS"))
    return min(int(get("ADVISORS_SUPPORT_MONTHS").get(service, maximum)), maximum)


def support_ends_on(service: str, granted_on: date) -> date:
    """D14: the last day of support (vägledning 3 months, every service at most 12)."""
    return granted_on + relativedelta(months=support_months(service))


def end_warning_window() -> timedelta:
    return timedelta(days=int(get("ADVISORS_END_WARNING_DAYS")))
