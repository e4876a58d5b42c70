"""Reads about accounts: the user's own sessions and recovery codes."""

import datetime

from django.conf import settings
from django.utils import timezone

from .models import UserSession


def sessions_for_user(user):
    """The user's sessions that can still be in use (within the idle and absolute limits)."""
    now = timezone.now()
    return UserSession.objects.filter(
        user=user,
        last_seen_at__gte=now - datetime.timedelta(seconds=settings.PORTAL_SESSION_IDLE_TIMEOUT + 60),
        created_at__gte=now - datetime.timedelta(seconds=settings.PORTAL_SESSION_ABSOLUTE_TIMEOUT),
    ).order_by("-last_seen_at")


def recovery_codes_left(user) -> int | None:
    """How many unused recovery codes the user has; None when the user has none set up."""
    from django_otp.plugins.otp_static.models import StaticToken

    from .services import RECOVERY_DEVICE_NAME

    tokens = StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME)
    if not tokens.exists():
        from django_otp.plugins.otp_static.models import StaticDevice

        return 0 if StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).exists() else None
    return tokens.count()


def known_devices_for_user(user):
    """The browsers the user has logged in from (newest first), for the security page."""
    from .models import KnownDevice

    return KnownDevice.objects.filter(user=user).order_by("-last_seen_at", "-pk")
