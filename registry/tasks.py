"""Thin, idempotent task wrappers of the registry; they receive ids only, never personal data."""

from celery import shared_task

from omstallning.core.uploads import ScannerUnavailable

from . import services


@shared_task(name="registry.tasks.send_signup_mail")
def send_signup_mail(template: str, user_id: int | None, site_url: str) -> bool:
    """The sign-up's one mail (the verification link, or "someone tried to sign up with your
    address"), queued by both paths of services.representative_sign_up."""
    if user_id is None:
        return False
    return services.signup_mail_send(template=template, user_id=user_id, site_url=site_url)


@shared_task(name="registry.tasks.sweep_unverified_signups")
def sweep_unverified_signups() -> dict:
    """Daily (beat): deletes sign-up accounts never confirmed (link expired plus a margin)."""
    return services.unverified_signups_sweep()


@shared_task(
    name="registry.tasks.scan_registration_attachment",
    autoretry_for=(ScannerUnavailable,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=6,
)
def scan_registration_attachment(attachment_id: int) -> str:
    """The expensive checks of one uploaded attachment (PDF active content, office macros and
    zip limits, ClamAV); sets its status. Idempotent: a checked attachment is left alone. When
    ClamAV does not answer the task is retried; pending_attachments_requeue picks up the rest."""
    return services.registration_attachment_scan(attachment_id=attachment_id)


@shared_task(name="registry.tasks.requeue_pending_attachments")
def requeue_pending_attachments() -> int:
    """Every 15 minutes (beat): attachments still unchecked ten minutes after the upload."""
    return services.pending_attachments_requeue()
