"""Suppliers, advisors, assignments with the contact deadline, notifications, contacts, the
kartläggning, the action plan with its versions, and the outcome.

The contact deadline (D12) is a column (``Assignment.contact_deadline``) with a partial index that
holds only the open rows the sweep looks at; no ETA task ever carries it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import Service


class Supplier(models.Model):
    """A procured supplier (leverantör) of advisors, with its place in the cascade."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    organisation_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("rank in the cascade"), unique=True, help_text=_("1 is asked first, then 2, and so on.")
    )
    capacity = models.PositiveIntegerField(_("capacity (open cases at a time)"))
    services = models.JSONField(_("services"), default=list, help_text=_("The services the supplier may give."))
    languages = models.JSONField(_("languages"), default=list, help_text=_("Language codes, e.g. sv, en, ar."))
    national_digital = models.BooleanField(_("national for digital meetings"), default=False)
    active = models.BooleanField(_("active"), default=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coordinated_suppliers", verbose_name=_("coordinators")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["rank"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self):
        return self.name


class SupplierArea(models.Model):
    """A contract area of a supplier: a municipality (four-digit code or name) or a region (län)."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region (county)")

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("code"), max_length=40, help_text=_("Municipality code (0180) or name; region code (01).")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("contract area")
        verbose_name_plural = _("contract areas")
        constraints = [models.UniqueConstraint(fields=["supplier", "kind", "code"], name="adv_area_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name or self.code}"


class Advisor(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="advisor_profile", verbose_name=_("user")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="advisors", verbose_name=_("supplier")
    )
    forstarkt_stod = models.BooleanField(_("qualified for förstärkt stöd"), default=False)
    languages = models.JSONField(_("languages"), default=list)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier__rank", "user__username"]
        verbose_name = _("advisor")
        verbose_name_plural = _("advisors")

    def __str__(self):
        return str(self.user)


class Outcome(models.TextChoices):
    NYTT_ARBETE = "nytt_arbete", _("New job")
    STUDIER = "studier", _("Studies")
    EGET_FORETAG = "eget_foretag", _("Own business")
    ANNAT = "annat", _("Other")


class Assignment(models.Model):
    """A granted application given to an advisor. One per application."""

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="advisor_assignment",
        verbose_name=_("application"),
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="assignments")
    advisor = models.ForeignKey(Advisor, on_delete=models.PROTECT, related_name="assignments")
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    granted_at = models.DateTimeField(_("granted at"))
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    contact_deadline = models.DateTimeField(_("contact deadline"), db_index=True)
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    support_ends_on = models.DateField(_("support ends on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contact_deadline"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            # The sweep's index: only open cases without a first contact that are not yet overdue.
            # It stays small (a few thousand rows) however many cases the table holds.
            models.Index(
                fields=["contact_deadline"],
                name="adv_assign_sweep_idx",
                condition=Q(first_contact_at__isnull=True, overdue=False, closed_on__isnull=True),
            ),
            models.Index(
                fields=["support_ends_on"], name="adv_assign_open_end_idx", condition=Q(closed_on__isnull=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(outcome=""), name="adv_assign_closed_has_outcome"
            ),
        ]

    def __str__(self):
        return f"{self.application} → {self.advisor}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class AssignmentChange(models.Model):
    """Reassignment history: who moved the case from whom to whom, and why."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="changes")
    from_advisor = models.ForeignKey(Advisor, on_delete=models.PROTECT, related_name="+", null=True)
    to_advisor = models.ForeignKey(Advisor, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")

    def __str__(self):
        return f"{self.from_advisor} → {self.to_advisor}"


class Notification(models.Model):
    """One record per notification decided, unique per (assignment, kind, sequence): the sweep can
    run twice, concurrently, or die half-way, and still never decides the same notification twice.
    ``sent_at`` is set once the e-mail left; unsent records are retried by the next sweep."""

    class Kind(models.TextChoices):
        ASSIGNED_APPLICANT = "assigned_applicant", _("Assignment: to the applicant")
        ASSIGNED_ADVISOR = "assigned_advisor", _("Assignment: to the advisor")
        REASSIGNED_APPLICANT = "reassigned_applicant", _("Reassignment: to the applicant")
        REASSIGNED_ADVISOR = "reassigned_advisor", _("Reassignment: to the new advisor")
        REMINDER = "reminder", _("Contact reminder to the advisor")
        OVERDUE_COORDINATOR = "overdue_coordinator", _("Overdue: to the supplier coordinator")
        OVERDUE_CASE_OFFICER = "overdue_case_officer", _("Overdue: to the case officer")
        END_WARNING_ADVISOR = "end_warning_advisor", _("Support ends soon: to the advisor")
        END_WARNING_CASE_OFFICER = "end_warning_case_officer", _("Support ends soon: to the case officer")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # 0 for the sweep's notifications; the reassignment number for reassignment e-mails.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "sequence"], name="adv_notification_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="adv_notif_unsent_idx", condition=Q(sent_at__isnull=True))]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.assignment_id}"


class MeetingMode(models.TextChoices):
    DIGITAL = "digital", _("Digital")
    PHYSICAL = "physical", _("Physical")
    PHONE = "phone", _("Phone")


class Place(models.TextChoices):
    ADVISOR_PREMISES = "advisor_premises", _("The advisor's premises")
    RENTED_PREMISES = "rented_premises", _("Rented premises (easy to reach by public transport)")


class Contact(models.Model):
    """A contact or a meeting with the client. A meeting in the future is a planned meeting."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        MEETING = "meeting", _("Meeting")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CONTACT)
    occurred_at = models.DateTimeField(_("date and time"))
    mode = models.CharField(_("digital or physical"), max_length=10, choices=MeetingMode.choices)
    place = models.CharField(_("place"), max_length=20, choices=Place.choices, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(mode="physical") | ~Q(place=""), name="adv_contact_physical_has_place"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class NeedsAssessment(models.Model):
    """The kartläggning made at the first meeting: the person's needs and wishes."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="needs_assessment")
    needs = models.TextField(_("needs"), max_length=4000)
    wishes = models.TextField(_("wishes"), max_length=4000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kartläggning")
        verbose_name_plural = _("kartläggningar")

    def __str__(self):
        return f"kartläggning #{self.assignment_id}"


class Goal(models.TextChoices):
    NEW_JOB = "nytt_arbete", _("New job")
    STUDIES = "studier", _("Studies")
    OWN_BUSINESS = "eget_foretag", _("Own business")


class ActionPlan(models.Model):
    """The individual handlings- och tidsplan. Its content lives in immutable versions."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="plan")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self):
        return f"plan #{self.assignment_id}"

    @property
    def current(self):
        return self.versions.order_by("-number").first()


class PlanVersion(models.Model):
    """One saved state of a plan. Never changed after it is written; every change is a new row."""

    class Who(models.TextChoices):
        APPLICANT = "applicant", _("The applicant")
        ADVISOR = "advisor", _("The advisor")
        BOTH = "both", _("Both")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    goal = models.CharField(_("goal"), max_length=20, choices=Goal.choices)
    goal_description = models.TextField(_("goal description"), max_length=2000, blank=True)
    # [{"id": "...", "title": "...", "due_date": "YYYY-MM-DD", "who": "applicant", "status": "planned"}]
    activities = models.JSONField(_("activities"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    change_note = models.CharField(_("change"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by the applicant at"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="adv_plan_version_unique")]

    def __str__(self):
        return f"plan #{self.plan_id} v{self.number}"

    @staticmethod
    def new_activity_id() -> str:
        return uuid.uuid4().hex[:12]


class OverdueAssignment(Assignment):
    """The admin's "overdue" queue: open cases past the deadline without a first contact."""

    class Meta:
        proxy = True
        verbose_name = _("overdue case")
        verbose_name_plural = _("overdue cases (no first contact)")
