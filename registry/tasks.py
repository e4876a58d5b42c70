"""Thin, idempotent task wrappers of the registry; they receive ids only, never personal data."""

from celery import shared_task

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
