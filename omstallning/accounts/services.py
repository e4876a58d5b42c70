"""Writes and rules about accounts: sessions, the staff second factor, e-legitimation users."""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F

from .roles import Role

OIDC_BACKEND = "omstallning.accounts.oidc.PortalOIDCBackend"


def needs_second_factor(user, *, request=None) -> bool:
    """Staff, i.e. everyone with a role other than applicant (or is_staff), need TOTP after the
    password. A session opened with e-legitimation is already multi-factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if request is not None and request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(role != Role.APPLICANT for role in user.roles)


def user_end_all_sessions(*, user, by=None) -> None:
    """Ends every session of `user` on every device: the next request of each is anonymous.

    Called by log-out, by disabling an account and by the admin action. `by` is who asked (kept
    for the signature convention; the admin's own log records the action)."""
    get_user_model().objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


def end_sessions_of_disabled_user(sender, instance, **kwargs):
    """pre_save receiver on the user model: disabling an account ends its sessions."""
    if instance.pk is None or instance.is_active:
        return
    was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()
    if was_active:
        instance.session_generation = (instance.session_generation or 0) + 1


def user_from_e_legitimation(*, personnummer: str, given_name: str = "", family_name: str = ""):
    """Finds the applicant with this personnummer (12 digits) or creates one. The username is
    random so that it never carries the personnummer."""
    import secrets

    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(personnummer=personnummer).first()
        if user is None:
            user = User(
                username=f"e-leg-{secrets.token_hex(6)}",
                first_name=given_name[:150],
                last_name=family_name[:150],
            )
            user.personnummer = personnummer
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=Role.APPLICANT.value))
        else:
            changed = []
            if given_name and user.first_name != given_name[:150]:
                user.first_name = given_name[:150]
                changed.append("first_name")
            if family_name and user.last_name != family_name[:150]:
                user.last_name = family_name[:150]
                changed.append("last_name")
            if changed:
                user.save(update_fields=changed)
    return user


def oidc_configured() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID) and bool(
        settings.OIDC_OP_DISCOVERY_ENDPOINT or settings.OIDC_OP_AUTHORIZATION_ENDPOINT
    )
