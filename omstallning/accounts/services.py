"""Writes and rules about accounts: sessions, the staff second factor, e-legitimation users,
security events."""

import logging

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
    from .models import UserSession

    get_user_model().objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    UserSession.objects.filter(user=user).delete()


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


# --- security events (ASVS V16: security logging) ---------------------------------------------

security_logger = logging.getLogger("omstallning.security")


def security_event_record(event: str, *, user=None, user_id: int | None = None, **fields) -> None:
    """Records a security event: one structured log record on the ``omstallning.security`` logger
    and one `SecurityEvent` row (counted in the admin). Only the user's id, never a username,
    address or any personal data; `fields` must be short, non-personal values (a path, a count)."""
    from .models import SecurityEvent

    if event not in SecurityEvent.Kind.values:
        raise ValueError(f"unknown security event {event!r}")
    if user_id is None and user is not None and getattr(user, "is_authenticated", False):
        user_id = user.pk
    details = " ".join(f"{key}={value}" for key, value in sorted(fields.items()))
    security_logger.info(
        "security event=%s user_id=%s%s",
        event,
        user_id if user_id is not None else "-",
        f" {details}" if details else "",
        extra={"security_event": event, "user_id": user_id, **{f"event_{k}": v for k, v in fields.items()}},
    )
    try:
        with transaction.atomic():
            SecurityEvent.objects.create(kind=event, user_id_ref=user_id)
    except Exception:  # the log line above is the record of last resort
        security_logger.exception("security event=%s could not be stored", event)


# --- the user's own sessions ------------------------------------------------------------------

SESSION_SID = "_portal_sid"
SESSION_SID_KEY = "_portal_sid_key"

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_summary(user_agent: str) -> str:
    """ "Firefox, Linux": enough for a person to recognise a device, no version or build numbers."""
    user_agent = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return ", ".join(part for part in (browser, system) if part)[:100]


def truncated_network(address: str) -> str:
    """The client's network, not its address: IPv4 /24, IPv6 /48."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def session_register(*, request, user) -> None:
    """user_logged_in receiver's work: a new row for this session."""
    import secrets

    from omstallning.core.ratelimit import client_ip

    from .models import UserSession

    session = request.session
    if session.session_key is None:
        session.save()
    sid = secrets.token_hex(16)
    # A log-in through the e-legitimation broker: the id token's `sub` and `sid` (the broker's
    # session), kept as keyed hashes so that a back-channel logout can find this session.
    oidc_login = getattr(request, OIDC_LOGIN_REQUEST_ATTR, None) or {}
    issuer = oidc_login.get("iss", "")
    UserSession.objects.create(
        user=user,
        sid=sid,
        session_key=session.session_key,
        device=device_summary(request.META.get("HTTP_USER_AGENT", "")),
        network=truncated_network(client_ip(request)),
        oidc_subject=oidc_digest("sub", issuer, oidc_login["sub"]) if oidc_login.get("sub") else "",
        oidc_session=oidc_digest("sid", issuer, oidc_login["sid"]) if oidc_login.get("sid") else "",
    )
    session[SESSION_SID] = sid
    session[SESSION_SID_KEY] = session.session_key


# --- OIDC back-channel logout (the e-legitimation broker ends sessions) ------------------------

# The request attribute where PortalOIDCBackend leaves the id token's iss/sub/sid for
# session_register (the user_logged_in receiver runs in the same request).
OIDC_LOGIN_REQUEST_ATTR = "_portal_oidc_login"


def oidc_digest(kind: str, issuer: str, value: str, *, secret: str | None = None) -> str:
    """What is stored for the broker's `sub` or `sid`: HMAC-SHA256 (key derived from the SECRET_KEY,
    or `secret`) of the issuer and the value, so the table holds neither."""
    from django.utils.crypto import salted_hmac

    salt = f"omstallning.accounts.oidc.{kind}"
    return salted_hmac(salt, f"{issuer}\n{value}", secret=secret, algorithm="sha256").hexdigest()


def _oidc_digests(kind: str, issuer: str, value: str) -> list[str]:
    """The digest under the current SECRET_KEY and under each of SECRET_KEY_FALLBACKS (a rotation
    must not make a logout miss the sessions opened before it)."""
    secrets_ = [None, *(getattr(settings, "SECRET_KEY_FALLBACKS", None) or ())]
    return [oidc_digest(kind, issuer, value, secret=secret) for secret in secrets_]


def oidc_backchannel_logout(*, issuer: str, sub: str | None, sid: str | None) -> int:
    """Ends the portal sessions a valid logout token names (OpenID Connect Back-Channel Logout 1.0
    §2.7). With `sid`: the sessions opened in that session at the broker (and, with `sub` too, of
    that subject). With `sub` only: every session of each user who logged in as that subject, on
    every device (as log-out does). Returns the number of users whose sessions ended; 0 when
    nothing matches (already logged out: still a success for the broker)."""
    from .models import UserSession

    rows = UserSession.objects.all()
    if sub:
        rows = rows.filter(oidc_subject__in=_oidc_digests("sub", issuer, sub))
    if sid:
        rows = rows.filter(oidc_session__in=_oidc_digests("sid", issuer, sid))
        ended_users = {}
        for row in rows.select_related("user"):
            _end(row)
            ended_users.setdefault(row.user_id, 0)
            ended_users[row.user_id] += 1
        for user_id, count in ended_users.items():
            security_event_record("backchannel_logout", user_id=user_id, count=count, by="sid")
        return len(ended_users)
    users = get_user_model().objects.filter(pk__in=rows.values("user_id"))
    count = 0
    for user in users:
        for row in UserSession.objects.filter(user=user):
            _end(row)  # the session data goes at once, not only at its expiry
        user_end_all_sessions(user=user)  # and sessions without a row end on their next request
        security_event_record("backchannel_logout", user_id=user.pk, by="sub")
        count += 1
    return count


def session_touch(*, request) -> bool:
    """Called at most once a minute per session (with the idle clock): records the last-seen time.
    Returns False when the row is gone, i.e. the user ended this session on another device."""
    from django.utils import timezone

    from .models import UserSession

    sid = request.session.get(SESSION_SID)
    if not sid:
        return True
    return bool(UserSession.objects.filter(sid=sid, user_id=request.user.pk).update(last_seen_at=timezone.now()))


def session_follow_key(*, request) -> None:
    """After a key change (second factor, log-in), the row follows the session's new key."""
    from .models import UserSession

    session = getattr(request, "session", None)
    sid = session.get(SESSION_SID) if session is not None else None
    if not sid or session.session_key is None or session.get(SESSION_SID_KEY) == session.session_key:
        return
    UserSession.objects.filter(sid=sid).update(session_key=session.session_key)
    session[SESSION_SID_KEY] = session.session_key


def _end(user_session) -> None:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key=user_session.session_key).delete()
    user_session.delete()


def session_end(*, user, sid: str, current_sid: str | None) -> bool:
    """Ends one of the user's own sessions (not the current one: that is log-out). Another user's
    session id is treated as unknown."""
    from .models import UserSession

    if sid == current_sid:
        return False
    target = UserSession.objects.filter(user=user, sid=sid).first()
    if target is None:
        return False
    _end(target)
    security_event_record("session_ended", user=user, count=1)
    return True


def sessions_end_others(*, user, current_sid: str | None) -> int:
    from .models import UserSession

    count = 0
    for target in UserSession.objects.filter(user=user).exclude(sid=current_sid or ""):
        _end(target)
        count += 1
    if count:
        security_event_record("session_ended", user=user, count=count)
    return count


# --- re-authentication before sensitive changes -------------------------------------------------

SESSION_REAUTH_AT = "_portal_reauth_at"
REAUTH_WINDOW_SECONDS = 5 * 60


def reauth_window() -> int:
    return int(getattr(settings, "PORTAL_REAUTH_WINDOW", REAUTH_WINDOW_SECONDS))


def reauth_mark(request) -> None:
    import time

    request.session[SESSION_REAUTH_AT] = int(time.time())


def reauth_is_recent(request) -> bool:
    import time

    at = request.session.get(SESSION_REAUTH_AT)
    return at is not None and 0 <= int(time.time()) - int(at) <= reauth_window()


def reauth_method(user) -> str:
    """How this user confirms who they are: "totp" (staff with an authenticator app), "password",
    or "e-legitimation" (no usable password: log in again with e-legitimation)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return "totp"
    if user.has_usable_password():
        return "password"
    return "e-legitimation"


def reauth_check(*, request, secret: str) -> bool:
    """Checks the password or TOTP code; on success the session is "recently authenticated"."""
    from django.contrib.auth import authenticate
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    method = reauth_method(user)
    ok = False
    if method == "totp":
        ok = any(d.verify_token(secret) for d in TOTPDevice.objects.filter(user=user, confirmed=True))
    elif method == "password":
        # authenticate() goes through axes: failed re-authentications count toward the lock-out.
        ok = authenticate(request, username=user.get_username(), password=secret) is not None
    if ok:
        reauth_mark(request)
        security_event_record("reauth", user=user, method=method)
    else:
        security_event_record("reauth_failed", user=user, method=method)
    return ok


def contact_details_change(*, user, email: str, phone: str) -> list[str]:
    """Changes the user's own e-mail and phone (the caller has checked re-authentication).
    Returns the fields changed; the security events come from the user's pre/post-save receivers."""
    changed = []
    if user.email != email:
        user.email = email
        changed.append("email")
    if user.phone != phone:
        user.phone = phone
        changed.append("phone")
    if changed:
        user.save(update_fields=changed)
    return changed


# --- recovery codes (django-otp's static tokens) -------------------------------------------------

RECOVERY_DEVICE_NAME = "recovery codes"
RECOVERY_CODE_COUNT = 10


def recovery_code_digest(code: str) -> str:
    """What is stored for a recovery code: a keyed hash (HMAC-SHA256 with the SECRET_KEY, 80 bits,
    base32, 16 characters: the size of django-otp's token field), never the code itself."""
    import base64

    from django.utils.crypto import salted_hmac

    mac = salted_hmac("omstallning.accounts.recovery_code", code.lower(), algorithm="sha256").digest()
    return base64.b32encode(mac[:10]).decode("ascii").lower()


def recovery_codes_generate(*, user, notify: bool = True) -> list[str]:
    """New recovery codes for the user: the old ones stop working. Shown once, usable once each;
    only their keyed hashes are stored."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = []
        while len(codes) < RECOVERY_CODE_COUNT:
            code = StaticToken.random_token()
            if code not in codes:
                codes.append(code)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=recovery_code_digest(c)) for c in codes])
    security_event_record("recovery_codes_renewed", user=user)
    if notify:
        security_notice_send(user=user, kind="recovery_codes_renewed")
    return codes


def recovery_code_use(*, user, code: str):
    """The recovery device if `code` is one of the user's unused codes (it is used up)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    for device in StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True):
        if device.verify_token(recovery_code_digest(code)):
            security_event_record("recovery_code_used", user=user, left=device.token_set.count())
            return device
    return None


# --- notices by e-mail after changes to how the user logs in (ASVS 6.3.7) -----------------------

NOTICE_KINDS = {"password_changed", "email_changed", "phone_changed", "otp_enrolled", "recovery_codes_renewed"}


def _notice_text(kind: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "password_changed": _("The password of your account was changed."),
        "email_changed": _("The e-mail address of your account was changed."),
        "phone_changed": _("The phone number of your account was changed."),
        "otp_enrolled": _("An authenticator app was connected to your account."),
        "recovery_codes_renewed": _("New recovery codes were created for your account; the old ones no longer work."),
    }[kind]


def security_notice_send(*, user, kind: str, addresses: list[str] | None = None) -> None:
    """Tells the user by e-mail (after the transaction commits) that how they log in changed, so
    that a change they did not make is noticed. Names no values (no new address, no codes).
    For an e-mail change, `addresses` holds the old and the new address."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    if kind not in NOTICE_KINDS:
        raise ValueError(f"no notice for {kind!r}")
    recipients = [a for a in dict.fromkeys(addresses or [user.email]) if a]
    if not recipients:
        return
    with translation.override(user.preferred_language or "sv"):
        subject = _("Omställningsportalen: a change to your account")
        paragraphs = [
            _notice_text(kind),
            _(
                "If you made the change, you need not do anything. If you did not, contact the "
                "administrator at once and end your other sessions under Mina sidor → Security."
            ),
        ]
    # the change itself stands if the mail fails; the security event is already logged
    transaction.on_commit(
        lambda: _security_mail(user=user, subject=subject, paragraphs=paragraphs, what=kind, recipients=recipients)
    )


# --- the user's own password: change (old password required) and reset by e-mail -------------------


def password_change_finish(*, request, user) -> int:
    """After the user changed their own password (the old one was checked by the form): the
    current session stays valid under the new password, every other session of the account ends.
    The `password_changed` event and the e-mail notice come from the user's save receivers.
    Returns how many other sessions were ended."""
    from django.contrib.auth import update_session_auth_hash

    update_session_auth_hash(request, user)
    return sessions_end_others(user=user, current_sid=request.session.get(SESSION_SID))


def password_reset_request(*, users, domain: str, use_https: bool, language: str) -> int:
    """Someone asked for a reset link. `users` are the active accounts with a usable password and
    this address (none when the address is unknown or belongs to an e-legitimation-only account:
    the caller shows the same answer either way). The mail is sent by a task that gets only the
    user's id, the site's host name and the language (no address, no token in the broker).
    Returns the number of mails queued."""
    from .tasks import password_reset_mail

    count = 0
    for user in users:
        security_event_record("password_reset_requested", user_id=user.pk)
        password_reset_mail.delay_on_commit(user.pk, domain, use_https, language)
        count += 1
    if not count:
        security_event_record("password_reset_requested", found=0)
    return count


def password_reset_mail_send(*, user_id: int, domain: str, use_https: bool, language: str) -> bool:
    """Sends the one-time link (Django's token: valid for PASSWORD_RESET_TIMEOUT and only until
    the password changes or the user logs in) through Django's mailer. The link carries the
    user's id (base64) and the token, never an address or a personnummer. False when the account
    can no longer use a password (nothing is sent)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    context = {
        "url": f"{'https' if use_https else 'http'}://{domain}{path}",
        "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    with translation.override(language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE):
        subject = "".join(render_to_string("registration/password_reset_mail_subject.txt", context).splitlines())
        body = render_to_string("registration/password_reset_mail.txt", context)
    try:
        EmailMultiAlternatives(subject, body, None, [user.email]).send()
    except Exception:  # the asker sees the same answer either way; the id only, no address
        security_logger.exception("password reset mail to user_id=%s could not be sent", user.pk)
        return False
    return True


def password_reset_finish(*, user) -> None:
    """A new password was set with a reset link: every session of the account ends (the user is
    not logged in; staff give the TOTP code at the next log-in). The `password_changed` event and
    notice come from the save receivers; this records that it was done with a link."""
    user_end_all_sessions(user=user)
    security_event_record("password_reset", user_id=user.pk)
    # Whoever holds the link controls the account's mail: the lock-out (e.g. from someone else's
    # guessing) has done its job, and the holder can log in with the new password at once.
    lockout_clear(user=user)


# --- lock-out: cleared by a password reset, and a notice to the account's holder ------------------

LOCKOUT_NOTICE_KEY = "accounts:lockout-notice:{stage}:{user_id}"


def lockout_period():
    """How long axes keeps an account locked (AXES_COOLOFF_TIME as a timedelta; 30 minutes here)."""
    import datetime

    from axes.helpers import get_cool_off

    return get_cool_off() or datetime.timedelta(minutes=30)


def lockout_clear(*, user) -> int:
    """Removes the account's failed log-in attempts in django-axes (its own reset API), which ends a
    lock-out; a new lock-out later is a new period with a new notice. Called only after a new
    password was set through a valid reset link. Returns the number of attempt records removed."""
    from axes.utils import reset
    from django.core.cache import cache

    count = reset(username=user.get_username())
    cache.delete_many([LOCKOUT_NOTICE_KEY.format(stage=stage, user_id=user.pk) for stage in ("queued", "sent")])
    if count:
        security_event_record("lockout_cleared", user_id=user.pk, attempts=count)
    return count


def lockout_notice_queue(*, user_id: int) -> bool:
    """axes locked this (existing) account out: the holder is told by e-mail, once per lock-out
    period. axes signals a lock-out again on every attempt while it lasts; only the first queues
    the task (so a guessing script cannot fill the queue). The task gets the user's id only."""
    from django.core.cache import cache

    from .tasks import lockout_notice_mail

    seconds = int(lockout_period().total_seconds())
    if not cache.add(LOCKOUT_NOTICE_KEY.format(stage="queued", user_id=user_id), 1, timeout=seconds):
        return False
    lockout_notice_mail.delay_on_commit(user_id)
    return True


def _local_time(at) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(at), "Y-m-d H:i")


def _security_mail(*, user, subject: str, paragraphs: list[str], what: str, recipients=None) -> bool:
    """Sends one security mail to the user's own address, or to `recipients` (no values of the
    account in it); a failure is logged with the user's id only. False when it was not sent."""
    from django.core.mail import send_mail

    try:
        send_mail(subject, "\n\n".join(paragraphs), None, recipients or [user.email])
    except Exception:  # the id only, no address
        security_logger.exception("security notice %s to user_id=%s could not be sent", what, user.pk)
        return False
    return True


def lockout_notice_send(*, user_id: int) -> bool:
    """The lock-out notice (the task's work): what happened, when, that nothing is needed if it was
    them, how to choose a new password (which also ends the lock-out). Idempotent: at most one per
    account per lock-out period, also when the task runs twice. False when nothing was sent."""
    import datetime

    from django.core.cache import cache
    from django.utils import timezone, translation
    from django.utils.translation import gettext as _

    from .models import SecurityEvent

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return False  # an e-legitimation-only account has no password to guess or to reset
    period = lockout_period()
    sent_key = LOCKOUT_NOTICE_KEY.format(stage="sent", user_id=user_id)
    if not cache.add(sent_key, 1, timeout=int(period.total_seconds())):
        return False
    now = timezone.now()
    locked_at = (
        SecurityEvent.objects.filter(kind="locked_out", user_id_ref=user_id, at__gte=now - period)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    ) or now
    minutes = max(1, int(period / datetime.timedelta(minutes=1)))
    with translation.override(user.preferred_language or "sv"):
        subject = _("Omställningsportalen: your account was locked")
        paragraphs = [
            _(
                "Your account on Omställningsportalen was locked at %(time)s after too many log-in "
                "attempts with a wrong password. It stays locked for %(minutes)d minutes."
            )
            % {"time": _local_time(locked_at), "minutes": minutes},
            _("If it was you who typed the wrong password, you need not do anything: wait and try again."),
            _(
                "If it was not you, someone may be trying to guess your password. Choose a new one: on "
                "the log-in page, choose \u201cForgot your password?\u201d and follow the link we send you. "
                "A new password also unlocks the account at once. Contact the administrator if you "
                "need help."
            ),
        ]
    if not _security_mail(user=user, subject=subject, paragraphs=paragraphs, what="locked_out"):
        cache.delete(sent_key)  # a later run may try again
        return False
    return True


# --- log-in from a new browser (recognised by a signed device cookie) ------------------------------

DEVICE_COOKIE_SALT = "omstallning.accounts.device"
DEVICE_REQUEST_ATTR = "_portal_device_id"
KNOWN_DEVICES_MAX = 20
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def device_cookie_name() -> str:
    default = "__Host-portal_device" if settings.SESSION_COOKIE_SECURE else "portal_device"
    return getattr(settings, "PORTAL_DEVICE_COOKIE_NAME", default)


def device_cookie_max_age() -> int:
    return int(getattr(settings, "PORTAL_DEVICE_COOKIE_MAX_AGE", DEVICE_COOKIE_MAX_AGE))


def known_devices_max() -> int:
    return int(getattr(settings, "PORTAL_KNOWN_DEVICES_MAX", KNOWN_DEVICES_MAX))


def device_digest(*, user_id: int, device_id: str, secret: str | None = None) -> str:
    """What is stored for a browser: HMAC-SHA256 (key derived from the SECRET_KEY, or `secret`) of
    the user's id and the cookie's random id, so the same browser gives unrelated values for two
    accounts."""
    from django.utils.crypto import salted_hmac

    return salted_hmac(
        "omstallning.accounts.known_device", f"{user_id}:{device_id}", secret=secret, algorithm="sha256"
    ).hexdigest()


def _known_device_touch(*, user, device_id: str, now) -> bool:
    """Marks the browser as seen when the user knows it. A row stored under a key in
    SECRET_KEY_FALLBACKS (a key rotation) is found too and moved to the current key, so rotating
    the SECRET_KEY does not make every browser "new"."""
    from .models import KnownDevice

    digest = device_digest(user_id=user.pk, device_id=device_id)
    if KnownDevice.objects.filter(user=user, device_hash=digest).update(last_seen_at=now):
        return True
    for old_secret in getattr(settings, "SECRET_KEY_FALLBACKS", None) or ():
        old = device_digest(user_id=user.pk, device_id=device_id, secret=old_secret)
        if KnownDevice.objects.filter(user=user, device_hash=old).update(device_hash=digest, last_seen_at=now):
            return True
    return False


def _device_id_from_cookie(request) -> str | None:
    value = request.get_signed_cookie(device_cookie_name(), default=None, salt=DEVICE_COOKIE_SALT)
    if value and len(value) == 32 and all(c in "0123456789abcdef" for c in value):
        return value
    return None


def device_login_record(*, request, user):
    """user_logged_in receiver's work: recognises the browser by its device cookie (a new random id
    when it has none; the middleware sets the cookie on the response), records it for the user and,
    when the account has known browsers but not this one, queues the "new log-in" notice (the task
    gets ids only). The very first log-in of an account (no browser known yet) sends nothing. A
    log-in without an HTTP request (a shell, the test client's force_login) has no browser and is
    skipped. Returns the KnownDevice when it was new, else None."""
    import datetime
    import secrets

    from django.db import IntegrityError
    from django.utils import timezone

    from .models import KnownDevice
    from .tasks import new_device_notice_mail

    if request is None or not request.META.get("REQUEST_METHOD") or user.pk is None:
        return None
    device_id = _device_id_from_cookie(request) or secrets.token_hex(16)
    setattr(request, DEVICE_REQUEST_ATTR, device_id)  # set (again: sliding lifetime) on the response
    now = timezone.now()
    if _known_device_touch(user=user, device_id=device_id, now=now):
        return None
    digest = device_digest(user_id=user.pk, device_id=device_id)
    # Browsers not seen for longer than the cookie lives are forgotten (their cookie is gone).
    KnownDevice.objects.filter(
        user=user, last_seen_at__lt=now - datetime.timedelta(seconds=device_cookie_max_age())
    ).delete()
    first_ever = not KnownDevice.objects.filter(user=user).exists()
    try:
        with transaction.atomic():
            device = KnownDevice.objects.create(
                user=user,
                device_hash=digest,
                device=device_summary(request.META.get("HTTP_USER_AGENT", "")),
                first_seen_at=now,
                last_seen_at=now,
                notified_at=now if first_ever else None,
            )
    except IntegrityError:  # the same browser logged in twice at once
        return None
    keep = list(KnownDevice.objects.filter(user=user).order_by("-last_seen_at", "-pk").values_list("pk", flat=True))
    if len(keep) > known_devices_max():
        KnownDevice.objects.filter(pk__in=keep[known_devices_max() :]).delete()
    if first_ever:
        return device
    security_event_record("new_device_login", user_id=user.pk)
    new_device_notice_mail.delay_on_commit(user.pk, device.pk)
    return device


def device_cookie_set(*, request, response) -> None:
    """Sets the device cookie chosen at the log-in: signed, HttpOnly, SameSite=Lax, Secure with the
    `__Host-` prefix in production, for a year."""
    device_id = getattr(request, DEVICE_REQUEST_ATTR, None)
    if not device_id:
        return
    response.set_signed_cookie(
        device_cookie_name(),
        device_id,
        salt=DEVICE_COOKIE_SALT,
        max_age=device_cookie_max_age(),
        path="/",
        secure=bool(settings.SESSION_COOKIE_SECURE),
        httponly=True,
        samesite="Lax",
    )


def new_device_notice_send(*, user_id: int, device_id: int) -> bool:
    """The "new log-in" notice (the task's work): when, and the browser and system in coarse words
    ("Firefox, Linux"); no address or network. Idempotent (sent once per browser row)."""
    from django.utils import timezone, translation
    from django.utils.translation import gettext as _

    from .models import KnownDevice

    device = KnownDevice.objects.filter(pk=device_id, user_id=user_id, user__is_active=True).select_related("user")
    device = device.first()
    if device is None or not device.user.email:
        return False
    if not KnownDevice.objects.filter(pk=device.pk, notified_at=None).update(notified_at=timezone.now()):
        return False
    user = device.user
    with translation.override(user.preferred_language or "sv"):
        subject = _("Omställningsportalen: new log-in to your account")
        paragraphs = [
            _(
                "Someone logged in to your account on Omställningsportalen at %(time)s from a browser "
                "that has not been used for your account before."
            )
            % {"time": _local_time(device.first_seen_at)},
            _("Browser and system: %(device)s") % {"device": device.device or _("unknown")},
            _("If it was you, you need not do anything."),
            _(
                "If it was not you, choose a new password at once: on the log-in page, choose "
                "\u201cForgot your password?\u201d. Then end your other sessions under Mina sidor \u2192 "
                "Security and contact the administrator."
            )
            if user.has_usable_password()
            else _(
                "If it was not you, end the other sessions under Mina sidor \u2192 Security at once and "
                "contact the administrator and the issuer of your e-legitimation."
            ),
        ]
    if not _security_mail(user=user, subject=subject, paragraphs=paragraphs, what="new_device_login"):
        KnownDevice.objects.filter(pk=device.pk).update(notified_at=None)
        return False
    return True
