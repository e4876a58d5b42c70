"""Retention (gallringsplan) for accounts. Loaded at start-up by core
(``autodiscover_modules("privacy")``); the account data itself is always the first section of
the GDPR article 15 export (core.services).

* ``accounts.user``: applicant accounts (no staff role, not staff) not used since the cut-off
  (last log-in, or creation when never logged in). ``delete`` removes the account unless records
  still refer to it (applications, yttrande cases, registration cases: their own rules go first);
  ``anonymise`` keeps the row for those references and removes name, e-mail, phone and
  personnummer, disables the account and ends its sessions.
* ``accounts.usersession``, ``accounts.securityevent``, ``accounts.knowndevice``: see below.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, ProtectedError, Q

from omstallning.core.services import register_retention_handler

from .roles import Role


def _inactive_applicants(cutoff):
    User = get_user_model()
    return (
        User.objects.filter(is_staff=False, is_superuser=False)
        .exclude(groups__name__in=[r.value for r in Role if r != Role.APPLICANT])
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
    )


@register_retention_handler("accounts.user")
def user_retention(*, cutoff, action) -> int:
    users = _inactive_applicants(cutoff)
    if action == "anonymise":
        ids = list(users.filter(is_active=True).values_list("pk", flat=True))
        User = get_user_model()
        for pk in ids:
            User.objects.filter(pk=pk).update(
                username=f"anonymised-{pk}",
                first_name="",
                last_name="",
                email="",
                phone="",
                personnummer=None,
                password="!",  # noqa: S106 (an unusable password)
                is_active=False,
                session_generation=F("session_generation") + 1,
            )
        return len(ids)
    count = 0
    for user in users.order_by("pk"):
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError:
            continue
        count += 1
    return count


@register_retention_handler("accounts.securityevent")
def security_event_retention(*, cutoff, action) -> int:
    """Security events older than the cut-off: ``delete`` removes them, ``anonymise`` drops the
    user id (the counts per kind and day stay)."""
    from .models import SecurityEvent

    old = SecurityEvent.objects.filter(at__lt=cutoff)
    if action == "anonymise":
        return old.exclude(user_id_ref=None).update(user_id_ref=None)
    return old.delete()[1].get("accounts.SecurityEvent", 0)


@register_retention_handler("accounts.usersession")
def user_session_retention(*, cutoff, action) -> int:
    """Rows of sessions not seen since the cut-off (sessions that expired without a log-out);
    both actions delete them."""
    from .models import UserSession

    return UserSession.objects.filter(last_seen_at__lt=cutoff).delete()[1].get("accounts.UserSession", 0)


@register_retention_handler("accounts.knowndevice")
def known_device_retention(*, cutoff, action) -> int:
    """Browsers not logged in from since the cut-off (the new-device notice treats such a browser
    as new again); both actions delete them. A log-in also forgets browsers older than the device
    cookie's lifetime, and each account keeps at most PORTAL_KNOWN_DEVICES_MAX."""
    from .models import KnownDevice

    return KnownDevice.objects.filter(last_seen_at__lt=cutoff).delete()[1].get("accounts.KnownDevice", 0)
