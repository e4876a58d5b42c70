from django.contrib.auth.models import AbstractUser
from django.db import models
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
