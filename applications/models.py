"""Drafts, applications, attachments, the case history, messages and decisions.

The draft is the applicant's own space (eget utrymme): it is not a public record until submitted.
Submitting turns it into an :class:`Application` with a reference number (diarienummer) and an
immutable snapshot of exactly what was submitted. Health details for förstärkt stöd are sensitive
personal data and live in their own table (:class:`HealthDetails`), readable only by the case
officer who has the case.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Service(models.TextChoices):
    RADGIVNING = "radgivning", _("Counselling (rådgivning)")
    FORSTARKT_STOD = "forstarkt_stod", _("Counselling with enhanced support (förstärkt stöd)")
    VAGLEDNING = "vagledning", _("Guidance (vägledning)")
    YTTRANDE = "yttrande", _("Statement to CSN (yttrande)")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_COMPLETION = "needs_completion", _("Waiting for completion")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    CLOSED = "closed", _("Closed")


class MeetingPreference(models.TextChoices):
    DIGITAL = "digital", _("Digital meeting")
    PHYSICAL = "physical", _("Physical meeting")


class Situation(models.TextChoices):
    UPPSAGD_ARBETSBRIST = "uppsagd_arbetsbrist", _("Dismissed because of redundancy (arbetsbrist)")
    UPPSAGD_SJUKDOM = "uppsagd_sjukdom", _("Dismissed because of illness")
    TIDSBEGRANSAD = "tidsbegransad", _("Fixed-term employment ending")
    ANSTALLD = "anstalld", _("Still employed")
    EGENFORETAGARE = "egenforetagare", _("Self-employed")
    EGEN_UPPSAGNING = "egen_uppsagning", _("Resigned on my own initiative")


class SkippableKind(models.TextChoices):
    FORALDRAPENNING = "foraldrapenning", _("Parental benefit (föräldrapenning)")
    SJUKPENNING = "sjukpenning", _("Sickness benefit (sjukpenning)")
    TOTALFORSVARSPLIKT = "totalforsvarsplikt", _("Military or civil service (totalförsvarsplikt)")
    OMSTALLNINGSSTUDIESTOD = "omstallningsstudiestod", _("Transition study support (omställningsstudiestöd)")


class Priority(models.IntegerChoices):
    """D13: people whose employment ends or has ended come before people still employed."""

    ENDING = 1, _("Employment ends or has ended")
    EMPLOYED = 2, _("Still employed")


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, never served directly (no base URL).

    The location is read on every use so that tests (and deployments) can change the setting.
    """

    def __init__(self):
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)

    def url(self, name):  # pragma: no cover - never served directly
        raise ValueError("private files have no public URL")

    def deconstruct(self):
        return ("applications.models.PrivateStorage", [], {})


private_storage = PrivateStorage()


def _private_storage():
    return private_storage


def attachment_path(instance, filename):
    """No personal data and no user-supplied name in the stored path."""
    now = timezone.now()
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(instance.content_type, "bin")
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Draft(models.Model):
    """An unsubmitted application: the applicant's own space, one JSON object per form step."""

    token = models.UUIDField(_("idempotency token"), default=uuid.uuid4, unique=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="application_drafts",
        verbose_name=_("applicant"),
    )
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, db_index=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-last_activity_at"]

    def __str__(self):
        return f"{self.get_service_display()} ({self.last_activity_at:%Y-%m-%d})"


class Application(models.Model):
    """A submitted application: a case (ärende) with a reference number."""

    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    source_token = models.UUIDField(_("draft token"), unique=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.EMPLOYED)
    situation = models.CharField(_("situation"), max_length=30, choices=Situation.choices, blank=True)
    employment_end_date = models.DateField(_("employment end date"), null=True, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    meeting_preference = models.CharField(
        _("meeting preference"), max_length=10, choices=MeetingPreference.choices, default=MeetingPreference.DIGITAL
    )
    preferred_language = models.CharField(_("preferred language"), max_length=30, blank=True)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    employer_org_number = models.CharField(_("organisation number"), max_length=11, blank=True)

    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    # The handling deadline; it moves forward by the time spent waiting for a completion.
    due_at = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    granted_at = models.DateTimeField(_("granted"), null=True, blank=True)
    granted_service = models.CharField(_("service granted"), max_length=20, choices=Service.choices, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    case_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officer_applications",
        verbose_name=_("case officer"),
    )

    # Exactly what was submitted (all steps), never changed afterwards.
    snapshot = models.JSONField(_("submitted data"), default=dict, editable=False)
    # The eligibility evaluation made at submission (the CLI input format and its result).
    eligibility_input = models.JSONField(_("eligibility input"), default=dict, editable=False)
    eligibility_result = models.JSONField(_("eligibility result"), default=dict, editable=False)
    eligible = models.BooleanField(_("eligible"), null=True)
    evaluation = models.ForeignKey(
        "eligibility.Evaluation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="applications",
        verbose_name=_("stored evaluation"),
    )

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["snapshot", "eligibility_input", "eligibility_result"])

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["priority", "submitted_at"]
        indexes = [
            # The queue's ORDER BY (priority, submitted_at, -id: the admin adds -pk) for the
            # unfiltered list and per status, so a page is an index scan, not a sort of all rows.
            models.Index(fields=["priority", "submitted_at", "-id"], name="app_queue_all_idx"),
            models.Index(fields=["status", "priority", "submitted_at", "-id"], name="app_queue_idx"),
            models.Index(fields=["service", "status"], name="app_service_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(granted_at__isnull=False), name="app_granted_has_granted_at"
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        # The snapshot is immutable: an update that would write it is checked against the stored
        # one (one SELECT). An update that does not write it (update_fields without "snapshot",
        # as the workflow's transitions save, or an instance loaded with the snapshot deferred,
        # whose save Django limits to the loaded columns) cannot change it and is not checked.
        if self.pk is not None and not kwargs.get("force_insert") and self._writes_snapshot(kwargs):
            stored = type(self).objects.filter(pk=self.pk).values_list("snapshot", flat=True).first()
            if stored is not None and stored != self.snapshot:
                raise ValidationError(_("The submitted data of an application cannot be changed."))
        super().save(*args, **kwargs)

    def _writes_snapshot(self, kwargs) -> bool:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            return "snapshot" in update_fields
        return "snapshot" not in self.get_deferred_fields()

    @property
    def failed_rules(self) -> list[str]:
        return [r["rule"] for r in self.eligibility_result.get("reasons", []) if not r.get("passed")]


class HealthDetails(models.Model):
    """Illness-related needs for förstärkt stöd: sensitive personal data (art. 9 GDPR), kept apart.

    While the applicant fills in the form it belongs to the draft; on submission it moves to the
    application. Only the case officer who has the case may read it.
    """

    draft = models.OneToOneField(Draft, on_delete=models.CASCADE, null=True, blank=True, related_name="health")
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="health"
    )
    special_needs = models.BooleanField(_("special needs caused by illness"), default=False)
    description = models.TextField(_("description of the needs"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("health details")
        verbose_name_plural = _("health details")
        constraints = [
            models.CheckConstraint(
                condition=Q(draft__isnull=False) | Q(application__isnull=False), name="health_has_owner"
            ),
        ]

    def __str__(self):
        return str(_("health details"))


class AttachmentKind(models.TextChoices):
    EMPLOYER_CERTIFICATE = "arbetsgivarintyg", _("Employer certificate (arbetsgivarintyg)")
    DISMISSAL_NOTICE = "uppsagning", _("Notice of dismissal")
    TIME_REPORT = "tidrapport", _("Time report")
    COMPLETION = "komplettering", _("Completion")
    OTHER = "annat", _("Other")


class Attachment(models.Model):
    """An uploaded document, stored under PRIVATE_MEDIA_ROOT and served only through a view."""

    ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")
    MAX_SIZE = 10 * 1024 * 1024

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="application_attachments",
        verbose_name=_("owner"),
    )
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
    file = models.FileField(_("file"), upload_to=attachment_path, storage=_private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="attachment_allowed_type",
            ),
            models.CheckConstraint(condition=Q(size__lte=10 * 1024 * 1024), name="attachment_max_size"),
        ]

    def __str__(self):
        return self.original_name


class CaseEvent(models.Model):
    """The history of a case: who did what, when and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class ReceiptClaim(models.Model):
    """Who is sending an application's receipt e-mail, and whether it has been sent.

    The receipt task claims the receipt in one statement (an upsert on this primary key that only
    takes over a claim older than the timeout), sends the mail with no transaction open and no
    lock held, then records `sent_at` and the `receipt_sent` case event in one short transaction.
    A row of its own, not columns on Application: claiming and recording never write (or lock)
    the case row an officer may be deciding, and add nothing to the case's history.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, primary_key=True, related_name="receipt_claim"
    )
    claim = models.UUIDField(_("claim"))
    claimed_at = models.DateTimeField(_("claimed"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("receipt claim")
        verbose_name_plural = _("receipt claims")

    def __str__(self):
        return f"{self.application_id}: {self.sent_at or self.claimed_at:%Y-%m-%d %H:%M}"


class MessageDirection(models.TextChoices):
    TO_APPLICANT = "to_applicant", _("From the case officer")
    TO_OFFICER = "to_officer", _("From the applicant")


class Message(models.Model):
    """A message between the case officer and the applicant; a completion request or its answer."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("sender"))
    direction = models.CharField(_("direction"), max_length=20, choices=MessageDirection.choices)
    body = models.TextField(_("message"))
    is_completion_request = models.BooleanField(_("completion request"), default=False)
    reply_due = models.DateField(_("answer by"), null=True, blank=True)
    in_reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies")
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]

    def __str__(self):
        return f"{self.get_direction_display()} {self.sent_at:%Y-%m-%d}"


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class Decision(models.Model):
    """A decision (beslut) with its reasons and the letter sent to the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    service = models.CharField(_("service"), max_length=20, choices=Service.choices, blank=True)
    reason = models.TextField(_("reasons"), blank=True)
    failed_rules = models.JSONField(_("failed rules"), default=list, blank=True)
    letter_text = models.TextField(_("decision letter"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="refused") | ~Q(reason=""), name="decision_refusal_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} {self.decided_at:%Y-%m-%d}"


class ReferenceCounter(models.Model):
    """The last serial number used per year for reference numbers (OOO-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"{self.year}: {self.last}"
