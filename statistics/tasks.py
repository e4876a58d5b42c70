"""Celery tasks: thin, idempotent wrappers around services (ids only, never personal data)."""

from celery import shared_task

from . import services


@shared_task(soft_time_limit=1800, time_limit=1900)
def import_submission(submission_id: int) -> str:
    """One task per upload (never per row); a finished submission is left as it is."""
    return services.submission_import(submission_id).submission.status


@shared_task
def send_reminder(reminder_id: int) -> int:
    return services.reminder_deliver(reminder_id)


@shared_task(soft_time_limit=1800, time_limit=1900)
def agency_monthly_report() -> str:
    """Monthly (beat): the public organisation's own cases of the previous month, as v1 rows."""
    import datetime

    from django.utils import timezone

    from .agency import agency_report

    period = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    result = agency_report(period)
    return result.status if result else "skipped"
