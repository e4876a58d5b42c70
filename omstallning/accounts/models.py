from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """The portal's user. Roles are auth Groups (see roles.py).

    `personnummer` is set for applicants from the e-legitimation broker's claim, never typed in by
    staff; it is personal data and is never logged or put in a URL.
    """

    personnummer = models.CharField(
        _("personal identity number"), max_length=12, unique=True, null=True, blank=True, editable=False
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=[("sv", "Svenska"), ("en", "English")], default="sv"
    )
    # Raised by `user_end_all_sessions` (log-out, disabling the account, the admin action): every
    # session signed with an older value stops being valid on its next request.
    session_generation = models.PositiveIntegerField(_("session generation"), default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django checks this hash on every request (AuthenticationMiddleware) and flushes a session
        # whose hash differs. Mixing in the generation ends all sessions when it is raised.
        # Generation 0 keeps Django's own value, so existing sessions survive the upgrade.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "omstallning.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def has_role(self, role: Role | str) -> bool:
        if not self.is_active:
            return False
        if role == Role.ADMINISTRATOR and self.is_superuser:
            return True
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self._role_cache = cache
        return str(role) in cache

    @property
    def roles(self) -> list[Role]:
        return [r for r in Role if self.has_role(r)]


class UserSession(models.Model):
    """One signed-in session of a user, so that the user can see it and end it ("Mina sidor").

    `sid` is a random id kept inside the session (it survives the key changes at the second factor);
    `session_key` follows the session store's current key. No address in clear: only a truncated
    one (IPv4 /24, IPv6 /48), and a short browser/system summary instead of the user-agent string."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="portal_sessions", verbose_name=_("user"))
    sid = models.CharField(max_length=32, unique=True, editable=False)
    session_key = models.CharField(max_length=64, db_index=True, editable=False)
    device = models.CharField(_("browser and system"), max_length=100, blank=True)
    network = models.CharField(_("network (truncated address)"), max_length=50, blank=True)
    # For back-channel logout from the e-legitimation broker: keyed hashes (HMAC-SHA256, key from
    # the SECRET_KEY) of the issuer with the id token's `sub` and `sid`, never the values; empty for
    # a session not opened with e-legitimation (or an id token without `sid`).
    oidc_subject = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    oidc_session = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.device or '-'} {self.created_at:%Y-%m-%d %H:%M}"


class KnownDevice(models.Model):
    """A browser the user has logged in from, so that a log-in from a new one can be told to them.

    The browser carries a random device id in a long-lived signed cookie; only a keyed hash of the
    user's id and that id is stored here (HMAC-SHA256 with a key derived from the SECRET_KEY), so a
    copy of the table neither gives the cookie value nor shows which accounts share a browser.
    `device` is the same coarse summary as a session's ("Firefox, Linux")."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices", verbose_name=_("user"))
    device_hash = models.CharField(max_length=64, editable=False)
    device = models.CharField(_("browser and system"), max_length=100, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    # Set once the new-device notice went out (keeps the notice task idempotent).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("known browser")
        verbose_name_plural = _("known browsers")
        ordering = ["-last_seen_at"]
        constraints = [models.UniqueConstraint(fields=["user", "device_hash"], name="accounts_knowndevice_unique")]

    def __str__(self):
        return f"{self.device or '-'} {self.first_seen_at:%Y-%m-%d %H:%M}"


class SecurityEvent(models.Model):
    """A security event (log-in, failure, lock-out, ...), also written to the `omstallning.security`
    logger. Holds the user's id only: no username typed at a failed log-in, no address, no
    personal data; so the admin can count events per kind and day."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("log-in")
        LOGIN_FAILED = "login_failed", _("failed log-in")
        LOCKED_OUT = "locked_out", _("locked out")
        LOGOUT = "logout", _("log-out")
        OTP_FAILED = "otp_failed", _("wrong second-factor code")
        OTP_ENROLLED = "otp_enrolled", _("authenticator app connected")
        RECOVERY_CODE_USED = "recovery_code_used", _("recovery code used")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("recovery codes renewed")
        REAUTH = "reauth", _("re-authenticated")
        REAUTH_FAILED = "reauth_failed", _("failed re-authentication")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("password reset requested")
        PASSWORD_RESET = "password_reset", _("password set with a reset link")
        LOCKOUT_CLEARED = "lockout_cleared", _("lock-out cleared by a password reset")
        NEW_DEVICE_LOGIN = "new_device_login", _("log-in from a new browser")
        EMAIL_CHANGED = "email_changed", _("e-mail address changed")
        PHONE_CHANGED = "phone_changed", _("phone number changed")
        SESSION_ENDED = "session_ended", _("session ended by the user")
        PERMISSION_DENIED = "permission_denied", _("permission denied (403)")
        CSP_VIOLATION = "csp_violation", _("CSP violation reported")
        BACKCHANNEL_LOGOUT = "backchannel_logout", _("sessions ended by the e-legitimation broker")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices, db_index=True)
    user_id_ref = models.PositiveBigIntegerField(_("user id"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.user_id_ref or '-'}"
