from django.contrib.auth.models import AbstractUser
from django.db import models
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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

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
