"""Account tasks: thin wrappers around services.py. Arguments are ids and non-personal values."""

from celery import shared_task


@shared_task(name="omstallning.accounts.tasks.password_reset_mail")
def password_reset_mail(user_id: int, domain: str, use_https: bool, language: str) -> bool:
    """Sends a password reset link to the user's own address (the token is made here, so it never
    passes through the broker)."""
    from .services import password_reset_mail_send

    return password_reset_mail_send(user_id=user_id, domain=domain, use_https=use_https, language=language)


@shared_task(name="omstallning.accounts.tasks.lockout_notice_mail")
def lockout_notice_mail(user_id: int) -> bool:
    """Tells the holder that the account was locked after failed log-ins (once per lock-out)."""
    from .services import lockout_notice_send

    return lockout_notice_send(user_id=user_id)


@shared_task(name="omstallning.accounts.tasks.new_device_notice_mail")
def new_device_notice_mail(user_id: int, device_id: int) -> bool:
    """Tells the holder about a log-in from a browser the account had not used before (once)."""
    from .services import new_device_notice_send

    return new_device_notice_send(user_id=user_id, device_id=device_id)
