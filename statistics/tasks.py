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
