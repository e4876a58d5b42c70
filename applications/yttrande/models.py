"""Yttrande till CSN: the case (from CSN's referral, a staff form or the applicant's application),
the advisor's assessment, the issued documents and the API clients that may call the CSN API.

Personal data: the personnummer and the name live only on :class:`YttrandeCase`. They are never
logged, never put in a URL (cases are addressed by their reference number) and never passed to a
task (tasks get ids).

An issued :class:`YttrandeDocument` is immutable: its content is frozen at approval
(``content``), rendered once into a file under ``PRIVATE_MEDIA_ROOT`` and never rendered again.
A correction is a new version that refers to the earlier one.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Source(models.TextChoices):
    CSN_API = "csn_api", _("CSN (API)")
    STAFF = "staff", _("Case officer (form)")
    APPLICANT = "applicant", _("Applicant (application form)")


class CaseStatus(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("Referral received")
    RESPONSIBLE_CHECK = "responsible_check", _("Checking who is responsible")
    CONVERSATION = "conversation", _("Conversation with an advisor")
    ASSESSMENT_RECORDED = "assessment_recorded", _("Assessment recorded")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent to CSN")
    NOT_RESPONSIBLE = "not_responsible", _("Another organisation is responsible")


class Situation(models.TextChoices):
    """The person's situation (the values of the eligibility engine, R-1.40)."""

    ANSTALLD = "anstalld", _("Employed")
    UPPSAGD_ARBETSBRIST = "uppsagd_arbetsbrist", _("Dismissed because of redundancy (arbetsbrist)")
    UPPSAGD_SJUKDOM = "uppsagd_sjukdom", _("Dismissed because of illness")
    TIDSBEGRANSAD = "tidsbegransad", _("Fixed-term employment ending")
    EGENFORETAGARE = "egenforetagare", _("Self-employed")


class CheckOutcome(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    RESPONSIBLE = "responsible", _("The public organisation is responsible")
    NOT_RESPONSIBLE = "not_responsible", _("The public organisation is not responsible")
    INCOMPLETE = "incomplete", _("More information needed")


STUDY_PACES = [(p, f"{p} %") for p in (20, 40, 50, 60, 75, 100)]


def education_key(name: str, provider: str) -> str:
    """What makes two educations "the same" for R-2.4: name and provider, case- and space-folded.

    The start date is left out on purpose: applying again for the same education at a later start
    keeps the yttrande valid; a changed education needs a new one.
    """
    fold = lambda s: " ".join((s or "").split()).casefold()  # noqa: E731
    return f"{fold(name)}|{fold(provider)}"[:400]


class ApiClient(models.Model):
    """A machine client of the CSN API. Only the SHA-256 of its token is stored; the token itself
    is shown once, when it is created."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("CSN API client")
        verbose_name_plural = _("CSN API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class YttrandeCase(models.Model):
    reference = models.CharField(_("reference number"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=30, choices=CaseStatus.choices, default=CaseStatus.REFERRAL_RECEIVED
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    # The person (personal data: never logged, never in a URL or a task argument).
    person_name = models.CharField(_("name"), max_length=200)
    personnummer = models.CharField(_("personal identity number"), max_length=13)
    birth_date = models.DateField(_("birth date"), editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="yttrande_cases",
        verbose_name=_("applicant's account"),
    )
    csn_reference = models.CharField(_("CSN case reference"), max_length=50)

    # The planned education.
    education_name = models.CharField(_("education"), max_length=200)
    education_provider = models.CharField(_("education provider"), max_length=200)
    education_start = models.DateField(_("start date"))
    education_weeks = models.PositiveSmallIntegerField(
        _("length in weeks"), validators=[MinValueValidator(1), MaxValueValidator(520)]
    )
    education_pace = models.PositiveSmallIntegerField(_("study pace (%)"), choices=STUDY_PACES, default=100)
    education_key = models.CharField(max_length=400, editable=False)

    # What the responsibility check needs (R-1.40, D10, D11); may be unknown for a CSN referral.
    situation = models.CharField(_("situation"), max_length=30, choices=Situation.choices, blank=True)
    employer_org_number = models.CharField(_("employer's organisation number"), max_length=11, blank=True)
    kollektivavtal = models.BooleanField(_("employer has a collective agreement"), null=True, blank=True)

    # The check's result.
    check_outcome = models.CharField(
        _("check"), max_length=20, choices=CheckOutcome.choices, default=CheckOutcome.PENDING, editable=False
    )
    check_reasons = models.JSONField(_("check reasons"), default=list, blank=True, editable=False)
    responsible_organisation = models.CharField(
        _("responsible organisation"), max_length=200, blank=True, editable=False
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True, editable=False)

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="yttrande_case",
        verbose_name=_("application"),
    )
    api_client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", editable=False
    )
    advisor = models.ForeignKey(
        "advisors.Advisor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="yttrande_cases",
        verbose_name=_("advisor"),
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["personnummer", "person_name"])

    class Meta:
        verbose_name = _("yttrande case")
        verbose_name_plural = _("yttrande cases")
        ordering = ["-received_at"]
        constraints = [
            # one case (and so one valid yttrande) per person and education.
            models.UniqueConstraint(fields=["personnummer", "education_key"], name="yttrande_one_per_education"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="yttrande_status_idx")]

    def __str__(self):
        return self.reference

    @property
    def latest_document(self):
        return self.documents.order_by("-version").first()


class Referral(models.Model):
    """Every referral received, also those that matched an existing case (R-2.4)."""

    case = models.ForeignKey(YttrandeCase, on_delete=models.CASCADE, related_name="referrals")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    csn_reference = models.CharField(_("CSN case reference"), max_length=50)
    api_client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    created_case = models.BooleanField(_("created the case"), default=False)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["received_at"]

    def __str__(self):
        return f"{self.case} {self.received_at:%Y-%m-%d}"


class Assessment(models.Model):
    """The advisor's assessment after the conversation (R-1.42, R-2.1, R-2.3)."""

    case = models.OneToOneField(YttrandeCase, on_delete=models.CASCADE, related_name="assessment")
    conversation_on = models.DateField(_("date of the conversation"))
    occupation = models.CharField(_("current or previous occupation"), max_length=200)
    target_occupation = models.CharField(_("target occupation"), max_length=200)
    region = models.CharField(_("region"), max_length=100)
    shortage_occupation = models.BooleanField(_("shortage occupation (bristyrke)"), default=False)
    labour_market_needs = models.TextField(_("the labour market's needs"), max_length=4000, blank=True)
    strengthens = models.BooleanField(
        _("the education strengthens the person's position on the labour market"),
        choices=[(True, _("Strengthens")), (False, _("Does not strengthen"))],
    )
    reasons = models.TextField(_("reasons"), max_length=6000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.case}"


class YttrandeDocument(models.Model):
    """One issued version of the yttrande. Frozen at approval; the file is written once."""

    case = models.ForeignKey(YttrandeCase, on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveSmallIntegerField(_("version"))
    refers_to = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects version"),
    )
    content = models.JSONField(_("content"), default=dict, editable=False)
    verification_code = models.CharField(_("verification code"), max_length=32, unique=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    file_path = models.CharField(_("file"), max_length=200, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True, editable=False)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True, editable=False)
    sent_to_csn_at = models.DateTimeField(_("sent to CSN"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("yttrande document")
        verbose_name_plural = _("yttrande documents")
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="yttrande_document_version"),
            models.CheckConstraint(
                condition=Q(rendered_at__isnull=True) | (~Q(sha256="") & ~Q(file_path="")),
                name="yttrande_document_rendered_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.case.reference} v{self.version}"

    @property
    def is_rendered(self) -> bool:
        return self.rendered_at is not None


class ReferenceCounter(models.Model):
    """The last serial number used per year for yttrande references (YTT-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"{self.year}: {self.last}"
