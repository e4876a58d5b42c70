"""Statistics submissions from transition organisations (format v1) and their pseudonymised rows.

The personnummer is never stored here: a StatRow keeps a keyed pseudonym (HMAC-SHA256), the birth
year and the legal sex (statistics-v1.md, "Privacy").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry.models import Organisation


class Submission(models.Model):
    """One uploaded file: one organisation and one month (`period`, the first day of the month)."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    class Source(models.TextChoices):
        WEB = "web", _("Web page")
        API = "api", _("API")
        COMMAND = "command", _("Command")
        AGENCY = "agency", _("The agency's own report")

    FORMAT_VERSION = 1

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="statistics_submissions", verbose_name=_("organisation")
    )
    period = models.DateField(_("period"), help_text=_("The first day of the reported month."))
    format_version = models.PositiveSmallIntegerField(_("format version"), default=FORMAT_VERSION)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROCESSING)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.WEB)
    # The uploaded file, relative to settings.PRIVATE_MEDIA_ROOT (never served directly).
    file_path = models.CharField(_("stored file"), max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_format = models.CharField(_("file format"), max_length=8, blank=True)
    file_size = models.BigIntegerField(_("file size"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The first 1,000 errors as {"row", "column", "msgid", "params"}; rendered in the reader's
    # language by statistics.validation.render_errors().
    errors = models.JSONField(_("errors"), default=list, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    api_token = models.ForeignKey(
        "ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("API token")
    )
    supersedes = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("supersedes")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["errors", "progress"])

    class Meta:
        verbose_name = _("statistics submission")
        verbose_name_plural = _("statistics submissions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "period", "status"], name="stat_sub_org_period_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period"],
                condition=Q(status="accepted"),
                name="stat_one_accepted_per_org_period",
            )
        ]

    def __str__(self):
        return f"{self.organisation} {self.period_label} ({self.get_status_display()})"

    @property
    def period_label(self) -> str:
        return f"{self.period.year:04d}-{self.period.month:02d}"

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.PROCESSING


class Service(models.TextChoices):
    RADGIVNING = "radgivning", _("Counselling (rådgivning)")
    FORSTARKT_STOD = "forstarkt_stod", _("Enhanced support (förstärkt stöd)")
    VAGLEDNING = "vagledning", _("Guidance (vägledning)")
    YTTRANDE = "yttrande", _("Statement to CSN (yttrande)")


class Trigger(models.TextChoices):
    ARBETSBRIST = "arbetsbrist", _("Redundancy (arbetsbrist)")
    SJUKDOM = "sjukdom", _("Illness (sjukdom)")
    TIDSBEGRANSAD = "tidsbegransad", _("Fixed-term job ended")
    ANSTALLD = "anstalld", _("Employed")
    EGENFORETAGARE = "egenforetagare", _("Self-employed")


class Decision(models.TextChoices):
    BEVILJAD = "beviljad", _("Granted")
    AVSLAG = "avslag", _("Refused")
    PAGAENDE = "pagaende", _("Not yet decided")


class Outcome(models.TextChoices):
    NYTT_ARBETE = "nytt_arbete", _("New job")
    STUDIER = "studier", _("Studies")
    EGET_FORETAG = "eget_foretag", _("Own business")
    ANNAT = "annat", _("Other")
    PAGAENDE = "pagaende", _("Still open")


class LegalSex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class StatRow(models.Model):
    """One person's case in one month's report. Written only by the import service (COPY)."""

    # No database-level foreign key: PostgreSQL checks one (deferred) per row at commit, which
    # cost more server CPU than the COPY itself (bench/statistics_import.py, docs/statistics.md).
    # Rows are written only by the import service, inside the transaction that holds their
    # submission; deleting a submission deletes its rows through Django (on_delete=CASCADE).
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="rows", db_constraint=False)
    pseudonym = models.CharField(_("pseudonym"), max_length=64, help_text=_("HMAC-SHA256 of the personnummer."))
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    legal_sex = models.CharField(_("legal sex"), max_length=1, choices=LegalSex.choices)
    service = models.CharField(_("service"), max_length=16, choices=Service.choices)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    application_date = models.DateField(_("application date"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    first_contact_date = models.DateField(_("first contact date"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    yttrande_strengthens = models.BooleanField(_("yttrande strengthens"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics row")
        verbose_name_plural = _("statistics rows")

    def __str__(self):
        return f"{self.submission_id}: {self.pseudonym[:8]}… {self.service}"


class ApiToken(models.Model):
    """A machine client's token for the statistics API of one organisation (stored as sha256)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="statistics_api_tokens", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("The first characters, to recognise it."))
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("statistics API token")
        verbose_name_plural = _("statistics API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Reminder(models.Model):
    """A reminder sent to an organisation that has not reported a month."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(_("period"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("statistics reminder")
        verbose_name_plural = _("statistics reminders")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.organisation} {self.period:%Y-%m}"
