"""Transition organisations (omställningsorganisationer), their registration history, employer
affiliations ("Hitta omställningsorganisation") and state compensation to employers.

Dates: an organisation is registered on date ``d`` when one of its registration periods has
``registered_from <= d`` and (``deregistered_on`` is empty or ``d < deregistered_on``): the
deregistration date is the first day on which it is no longer registered. An affiliation is in
force on ``d`` when ``valid_from <= d`` and (``valid_to`` is empty or ``d <= valid_to``): its
last day is included.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Organisation(models.Model):
    """A transition organisation (omställningsorganisation) known to the portal."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # organisationsnummer, stored as NNNNNN-NNNN; unknown for some real organisations in demo data
    org_number = models.CharField(_("organisation number"), max_length=11, unique=True, null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    website = models.URLField(_("website"), blank=True)
    covered_group = models.TextField(_("group of employees covered"), blank=True)
    administration_company = models.CharField(_("administration company"), max_length=200, blank=True)

    history = HistoricalRecords()

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


class RegistrationCase(models.Model):
    """An application for registration under LGOK 14 § and its handling (workflow.py)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        NEEDS_COMPLETION = "needs_completion", _("Needs completion")
        REGISTERED = "registered", _("Registered")
        REFUSED = "refused", _("Refused")
        DEREGISTERED = "deregistered", _("Deregistered")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registration_cases",
        verbose_name=_("applicant"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="registration_cases",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.DRAFT)
    # basic facts
    name = models.CharField(_("name of the organisation"), max_length=200, blank=True)
    org_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_address = models.TextField(_("contact address"), blank=True)
    principal = models.CharField(_("principal (huvudman)"), max_length=300, blank=True)
    board_members = models.TextField(_("board members (one per line)"), blank=True)
    ceo = models.CharField(_("CEO (verkställande direktör)"), max_length=200, blank=True)
    administration_company = models.CharField(_("administration company"), max_length=200, blank=True)
    covered_group = models.TextField(_("definition of the group of employees covered"), blank=True)
    # the five prerequisites, R-5.2 a-e
    prerequisite_a = models.TextField(_("(a) a clearly defined group of employees, no double coverage"), blank=True)
    prerequisite_b = models.TextField(_("(b) services offered as a whole package"), blank=True)
    prerequisite_c = models.TextField(_("(c) competence organised to deliver the whole package"), blank=True)
    prerequisite_d = models.TextField(_("(d) fees paid in advance on an ongoing basis"), blank=True)
    prerequisite_e = models.TextField(_("(e) access to capital in the long term"), blank=True)
    correspondence = models.TextField(
        _("how the services correspond to the basic transition and skills support (R-5.3)"), blank=True
    )
    # handling
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    completion_request = models.TextField(_("what must be completed"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    refusal_reasons = models.TextField(_("reasons for refusal"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration case")
        verbose_name_plural = _("registration cases")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state"], name="registry_case_state_idx")]

    def __str__(self):
        return self.name or _("Registration case %(id)s") % {"id": self.pk}


class PendingSignup(models.Model):
    """Marks an account made by the organisation sign-up (services.representative_sign_up) whose
    e-mail address is not confirmed yet, with the draft made with it. The verification removes
    the mark; the daily sweep (services.unverified_signups_sweep) deletes the account, the draft
    and the mark once the link has expired plus a margin. Other inactive accounts (deactivated by
    an administrator, made in the admin) have no mark and are never touched by the sweep."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_signup")
    case = models.OneToOneField(RegistrationCase, on_delete=models.CASCADE, related_name="pending_signup")
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("unconfirmed sign-up")
        verbose_name_plural = _("unconfirmed sign-ups")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class RegistrationAttachment(models.Model):
    """A document supporting one prerequisite (statutes, financial statements, fee structure…)."""

    class Topic(models.TextChoices):
        A = "a", _("(a) group of employees")
        B = "b", _("(b) whole package")
        C = "c", _("(c) competence")
        D = "d", _("(d) fees")
        E = "e", _("(e) capital")
        CORRESPONDENCE = "correspondence", _("correspondence to the basic support")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being checked")
        CLEAN = "clean", _("Checked")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(RegistrationCase, on_delete=models.CASCADE, related_name="attachments")
    topic = models.CharField(_("prerequisite"), max_length=20, choices=Topic)
    # empty once a refused file has been deleted from storage
    file = models.FileField(_("file"), upload_to="registry/attachments/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # The cheap checks (extension, size, type sniffed from the first bytes) run in the request;
    # the deep ones (PDF active content, office macros and zip limits, ClamAV) in the task
    # registry.tasks.scan_registration_attachment, which sets the status.
    status = models.CharField(_("check"), max_length=10, choices=Status, default=Status.PENDING)
    refusal_code = models.CharField(_("reason for refusal"), max_length=40, blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["topic", "uploaded_at"]

    def __str__(self):
        return self.original_name


class RegistrationEvent(models.Model):
    """One transition of a registration case: who moved it from which state to which, and why."""

    case = models.ForeignKey(RegistrationCase, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, choices=RegistrationCase.State)
    to_state = models.CharField(_("to"), max_length=20, choices=RegistrationCase.State)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case_id}: {self.from_state} → {self.to_state}"


class RegistrationPeriod(models.Model):
    """A period during which an organisation is in the register (LGOK 14 §, deregistered 15 §)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="registration_periods")
    case = models.OneToOneField(
        RegistrationCase, on_delete=models.PROTECT, null=True, blank=True, related_name="registration_period"
    )
    registered_from = models.DateField(_("registered from"))
    deregistered_on = models.DateField(
        _("deregistered on"), null=True, blank=True, help_text=_("The first day on which it is no longer registered.")
    )
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    deregistration_decision_number = models.CharField(_("deregistration decision number"), max_length=50, blank=True)
    deregistration_reason = models.TextField(_("reason for deregistration"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration period")
        verbose_name_plural = _("registration periods")
        ordering = ["organisation", "registered_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=F("registered_from")),
                name="registry_period_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "registered_from"], name="registry_period_org_from_idx")]

    def __str__(self):
        return f"{self.organisation}: {self.registered_from} – {self.deregistered_on or ''}"


class AffiliationUpload(models.Model):
    """One accepted upload (file or API call) that replaced an organisation's list of employers."""

    class Source(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        API = "api", "API"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="affiliation_uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    source = models.CharField(_("source"), max_length=4, choices=Source)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("affiliation upload")
        verbose_name_plural = _("affiliation uploads")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organisation} {self.created_at:%Y-%m-%d %H:%M}"


class EmployerAffiliation(models.Model):
    """An employer affiliated with (paying fees to) a registered organisation (R-1.25, R-5.2 a).

    No employer may be affiliated with two organisations on overlapping dates: on Postgres an
    exclusion constraint (migration 0003, btree_gist) enforces it; services check it first on every
    database and name both organisations.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="affiliations")
    employer_org_number = models.CharField(_("employer's organisation number"), max_length=11)
    employer_name = models.CharField(_("employer's name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Last day included; empty: open."))
    upload = models.ForeignKey(AffiliationUpload, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("employer affiliation")
        verbose_name_plural = _("employer affiliations")
        ordering = ["employer_org_number", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="registry_affiliation_dates_ordered",
            ),
        ]
        indexes = [
            # the lookup: WHERE employer_org_number = %s AND valid_from <= %s … (one index range scan)
            models.Index(fields=["employer_org_number", "valid_from"], name="registry_aff_orgnr_from_idx"),
        ]

    def __str__(self):
        return f"{self.employer_org_number} → {self.organisation}"


class ApiToken(models.Model):
    """A machine client's token for the affiliation API. Only the sha256 of the key is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class CompensationApplication(models.Model):
    """An application for state compensation (statlig ersättning) for year N (R-5.10 to R-5.14).

    Collective (kollektiv ansökan): filed by the organisation or its administration company with
    one row per employer. Individual (enskild ansökan): filed for one employer, one row.
    """

    class Kind(models.TextChoices):
        COLLECTIVE = "collective", _("Collective application")
        INDIVIDUAL = "individual", _("Individual application")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        DECIDED = "decided", _("Decided")

    class SignatoryCapacity(models.TextChoices):
        SIGNATORY = "signatory", _("Authorised signatory (firmatecknare)")
        POWER_OF_ATTORNEY = "power_of_attorney", _("With a power of attorney from the authorised signatory")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="compensation_applications")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.COLLECTIVE)
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.SUBMITTED)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField(_("filed on"))
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    refused_count = models.PositiveIntegerField(_("refused rows"), default=0)
    total_computed = models.BigIntegerField(_("computed compensation (SEK)"), default=0)
    total_granted = models.BigIntegerField(_("granted compensation (SEK)"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # An individual application (enskild ansökan) filed online by the employer: who signed it, in
    # what capacity, and the case officer's check of that authority before the decision.
    employer_org_number = models.CharField(_("employer's organisation number"), max_length=11, blank=True)
    employer_name = models.CharField(_("employer's name"), max_length=200, blank=True)
    signatory_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_capacity = models.CharField(
        _("capacity"), max_length=20, choices=SignatoryCapacity, blank=True, default=""
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    declared_at = models.DateTimeField(_("declaration given"), null=True, blank=True)
    authority_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authority_checked_at = models.DateTimeField(_("authority checked"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compensation application")
        verbose_name_plural = _("compensation applications")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organisation} {self.year} ({self.get_kind_display()})"

    @property
    def filed_by_employer(self) -> bool:
        """An individual application that the employer filed online (not registered by an officer)."""
        return self.kind == self.Kind.INDIVIDUAL and self.declared_at is not None


class CompensationRow(models.Model):
    """One employer's claim. Amounts in öre (integers); compensation in whole kronor."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    application = models.ForeignKey(CompensationApplication, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    employer_org_number = models.CharField(_("employer's organisation number"), max_length=11)
    year = models.PositiveSmallIntegerField(_("year"))
    fees_paid_ore = models.BigIntegerField(_("fees paid (öre)"))
    payroll_base_ore = models.BigIntegerField(_("payroll base (öre)"))
    computed_sek = models.BigIntegerField(_("computed compensation (SEK)"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACCEPTED)
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)
    refusal_note = models.TextField(_("refusal note"), blank=True)

    class Meta:
        verbose_name = _("compensation row")
        verbose_name_plural = _("compensation rows")
        ordering = ["application", "row_number"]
        constraints = [
            # one claim per employer and year (a refused row does not count)
            models.UniqueConstraint(
                fields=["employer_org_number", "year"],
                condition=Q(status="accepted"),
                name="registry_one_claim_per_employer_year",
            ),
        ]
        indexes = [models.Index(fields=["application", "status"], name="registry_crow_app_status_idx")]

    def __str__(self):
        return f"{self.employer_org_number} {self.year}"
