"""Cross-cutting records: the access log of staff reads and the retention schedule (gallringsplan)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """Who read, searched, exported or deleted which record, and when.

    Holds no personal data of the person the record is about: only the record's type and id. The
    actor is kept as a reference and as a username snapshot (the log outlives the account)."""

    class Action(models.TextChoices):
        VIEW = "view", _("view")
        SEARCH = "search", _("search")
        EXPORT = "export", _("export")
        DELETE = "delete", _("delete")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_access_object_idx"),
            models.Index(fields=["username", "at"], name="core_access_user_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_type} {self.object_id}"


class RetentionRule(models.Model):
    """One line of the gallringsplan: how long a record type is kept, then what happens to it."""

    class Action(models.TextChoices):
        DELETE = "delete", _("delete")
        ANONYMISE = "anonymise", _("anonymise")

    record_type = models.CharField(
        _("record type"), max_length=100, unique=True, help_text=_("app_label.model, e.g. applications.application")
    )
    retention_days = models.PositiveIntegerField(_("retention period (days)"))
    action = models.CharField(_("then"), max_length=10, choices=Action.choices)
    decision_reference = models.CharField(
        _("retention decision (gallringsbeslut)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the decision's diarienummer"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention schedule (gallringsplan)")
        ordering = ["record_type"]
        constraints = [
            models.CheckConstraint(condition=models.Q(retention_days__gte=1), name="core_retention_days_min")
        ]

    def __str__(self):
        return f"{self.record_type}: {self.retention_days} d, {self.get_action_display()}"


class AccessibilityReport(models.Model):
    """A reported accessibility problem (DOS-lagen: the accessibility statement must offer a way to
    report problems). Case officers handle the reports in the admin."""

    page = models.CharField(_("page"), max_length=500, blank=True)
    description = models.TextField(_("description"), max_length=5000)
    contact = models.CharField(_("contact details"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    handled = models.BooleanField(_("handled"), default=False)
    response_notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("accessibility report")
        verbose_name_plural = _("accessibility reports")
        ordering = ["handled", "-received_at"]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.page or '-'}"
