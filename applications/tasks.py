"""Thin, idempotent task wrappers; they receive ids only, never personal data."""

from celery import shared_task

from . import services


@shared_task(name="applications.tasks.send_receipt")
def send_receipt(application_id: int) -> bool:
    return services.application_send_receipt(application_id=application_id)


@shared_task(name="applications.tasks.notify_applicant")
def notify_applicant(application_id: int) -> None:
    services.application_notify(application_id=application_id)


@shared_task(name="applications.tasks.sweep_drafts")
def sweep_drafts() -> dict:
    """Daily (beat): reminder 7 days before, deletion after 30 days without activity."""
    return services.drafts_sweep()


@shared_task(name="applications.tasks.sweep_receipts")
def sweep_receipts() -> int:
    """Every 15 minutes (beat): queues the receipts whose publish failed at submit."""
    return services.receipts_sweep()
