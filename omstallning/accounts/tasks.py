"""Account tasks: thin wrappers around services.py. Arguments are ids and non-personal values."""

from celery import shared_task


@shared_task(name="omstallning.accounts.tasks.password_reset_mail")
def password_reset_mail(user_id: int, domain: str, use_https: bool, language: str) -> bool:
    """Sends a password reset link to the user's own address (the token is made here, so it never
    passes through the broker)."""
    from .services import password_reset_mail_send

    return password_reset_mail_send(user_id=user_id, domain=domain, use_https=use_https, language=language)
