from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A transition organisation (omställningsorganisation) known to the portal."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # organisationsnummer, stored as NNNNNN-NNNN; unknown for some real organisations in demo data
    org_number = models.CharField(_("organisation number"), max_length=11, unique=True, null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("transition organisation")
        verbose_name_plural = _("transition organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationMember(models.Model):
    """A user acting for an organisation (reporter, or the organisation's own administrator)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_roles")
    is_admin = models.BooleanField(_("organisation administrator"), default=False)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="uniq_organisation_member")]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"
