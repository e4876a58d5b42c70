"""Every write of the advisors app: assignment, reassignment, the deadline sweep, contacts, the
kartläggning, the action plan and closing. Each function checks who may do it, validates, writes
in one transaction, and leaves an audit trail (simple-history, AssignmentChange, plan versions).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Status
from omstallning.accounts.roles import Role

from . import policy, selectors
from .assignment import AdvisorOption, Need, SupplierOption, choose_advisor
from .models import (
    ActionPlan,
    Advisor,
    Assignment,
    AssignmentChange,
    Contact,
    NeedsAssessment,
    Notification,
    Outcome,
    PlanVersion,
    Supplier,
)

logger = logging.getLogger(__name__)
K = Notification.Kind

LANGUAGE_ALIASES = {"svenska": "sv", "swedish": "sv", "engelska": "en", "english": "en", "arabiska": "ar"}


def normalise_language(value: str) -> str:
    value = (value or "").strip().lower()
    return LANGUAGE_ALIASES.get(value, value) or "sv"


def _open_counts(field: str, ids) -> dict[int, int]:
    rows = (
        Assignment.objects.filter(closed_on__isnull=True, **{f"{field}__in": ids})
        .values(field)
        .annotate(n=Count("id"))
        .values_list(field, "n")
    )
    return dict(rows)


def supplier_options(*, lock: bool = False) -> list[SupplierOption]:
    """The cascade's input: active suppliers with their areas, open cases and advisors."""
    qs = Supplier.objects.filter(active=True).order_by("rank")
    if lock:  # serialises concurrent assignments so that capacity is never exceeded
        list(qs.select_for_update().values_list("id", flat=True))
    suppliers = list(qs.prefetch_related("areas", "advisors__user"))
    supplier_open = _open_counts("supplier", [s.id for s in suppliers])
    advisor_ids = [a.id for s in suppliers for a in s.advisors.all()]
    advisor_open = _open_counts("advisor", advisor_ids)
    options = []
    for s in suppliers:
        areas = list(s.areas.all())
        options.append(
            SupplierOption(
                id=s.id,
                rank=s.rank,
                capacity=s.capacity,
                open_cases=supplier_open.get(s.id, 0),
                services=frozenset(s.services or []),
                languages=frozenset(s.languages or ["sv"]),
                municipalities=frozenset(a.code for a in areas if a.kind == "municipality")
                | frozenset(a.name for a in areas if a.kind == "municipality" and a.name),
                regions=frozenset(a.code for a in areas if a.kind == "region"),
                national_digital=s.national_digital,
                active=s.active,
                advisors=tuple(
                    AdvisorOption(
                        id=a.id,
                        open_cases=advisor_open.get(a.id, 0),
                        languages=frozenset(a.languages or ["sv"]),
                        forstarkt_stod=a.forstarkt_stod,
                        active=a.active and a.user.is_active,
                    )
                    for a in s.advisors.all()
                ),
            )
        )
    return options


def need_for(application: Application) -> Need:
    return Need(
        service=application.granted_service or application.service,
        municipality=application.municipality,
        meeting=application.meeting_preference,
        language=normalise_language(application.preferred_language),
    )


def _notify(assignment: Assignment, kind: str, sequence: int = 0, *, enqueue: bool = True) -> Notification | None:
    """Records the decision to notify; None when it was already taken (by us or a concurrent run).

    With ``enqueue`` a delivery task starts on commit; the sweep passes False and delivers its
    own notifications in one batch at its end (no task per notification)."""
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                assignment=assignment, kind=kind, sequence=sequence
            )
    except IntegrityError:  # a concurrent transaction inserted it first
        return None
    if not created:
        return None
    if not enqueue:
        return notification
    from .tasks import deliver_notification

    deliver_notification.delay_on_commit(notification.pk)
    return notification


def assignment_create_for_application(*, application_id: int, by=None) -> Assignment | None:
    """Assigns a granted application to an advisor (idempotent: an existing assignment is kept).

    Returns None when the application is not granted or when no supplier qualifies (the sweep
    tries again every 15 minutes, and the compliance page counts it among the granted cases without an advisor).
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",)).select_related("applicant").filter(pk=application_id)
        ).first()
        if application is None:
            return None
        existing = Assignment.objects.filter(application=application).first()
        if existing is not None:
            return existing
        if application.status != Status.GRANTED or application.granted_at is None:
            return None
        need = need_for(application)
        choice = choose_advisor(need, supplier_options(lock=True))
        if choice is None:
            logger.warning("advisors: no supplier qualifies for application %s", application.pk)
            return None
        advisor = Advisor.objects.select_related("supplier").get(pk=choice.advisor_id)
        assignment = Assignment.objects.create(
            application=application,
            supplier=advisor.supplier,
            advisor=advisor,
            service=need.service,
            granted_at=application.granted_at,
            assigned_at=timezone.now(),
            contact_deadline=policy.contact_deadline(application.granted_at),
            support_ends_on=policy.support_ends_on(need.service, timezone.localdate(application.granted_at)),
        )
        AssignmentChange.objects.create(
            assignment=assignment,
            from_advisor=None,
            to_advisor=advisor,
            reason=_("Assigned automatically (cascade)"),
            changed_by=by,
        )
        _notify(assignment, K.ASSIGNED_APPLICANT)
        _notify(assignment, K.ASSIGNED_ADVISOR)
        logger.info("advisors: application %s assigned to advisor %s", application.pk, advisor.pk)
        return assignment


def _require_case_officer(by):
    if by is None or not (by.has_role(Role.CASE_OFFICER) or by.has_role(Role.ADMINISTRATOR)):
        raise PermissionDenied


def assignment_reassign(*, assignment: Assignment, advisor: Advisor, reason: str, by) -> Assignment:
    """A case officer moves the case to another advisor. The contact deadline does not move."""
    _require_case_officer(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the reassignment.")})
    if not advisor.active:
        raise ValidationError({"advisor": _("The advisor is not active.")})
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.closed_on is not None:
            raise ValidationError(_("The case is closed."))
        if advisor.pk == assignment.advisor_id:
            raise ValidationError({"advisor": _("The case is already assigned to this advisor.")})
        change = AssignmentChange.objects.create(
            assignment=assignment,
            from_advisor_id=assignment.advisor_id,
            to_advisor=advisor,
            reason=reason,
            changed_by=by,
        )
        assignment.advisor = advisor
        assignment.supplier_id = advisor.supplier_id
        assignment._change_reason = reason
        assignment.save(update_fields=["advisor", "supplier"])
        sequence = assignment.changes.filter(from_advisor__isnull=False).count()
        _notify(assignment, K.REASSIGNED_APPLICANT, sequence=sequence)
        _notify(assignment, K.REASSIGNED_ADVISOR, sequence=sequence)
        logger.info("advisors: assignment %s reassigned (change %s)", assignment.pk, change.pk)
        return assignment


# --- the sweep --------------------------------------------------------------------------------
@dataclass
class SweepResult:
    assigned: int = 0
    reminders: int = 0
    overdue: int = 0
    end_warnings: int = 0
    delivered: int = 0
    skipped_paused: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


SWEEP_CHUNK = 50


def _chunks(ids: list[int], size: int):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _clock_paused(application: Application) -> bool:
    """The applications app pauses a case's clock while waiting for a completion (paused_at);
    a case that is no longer granted (closed) has no running deadline either."""
    return application.paused_at is not None or application.status != Status.GRANTED


def sweep_contact_deadlines(*, now: datetime | None = None, batch_size: int = 200) -> SweepResult:
    """The 15-minute beat job. Safe to run twice, concurrently, or after a crash half-way.

    1. granted applications that have no assignment yet are assigned (nothing lost if the
       on-commit task was);
    2. open cases without a first contact: a reminder once when the deadline is within the
       reminder window; past the deadline, the case is marked overdue and the supplier's
       coordinators and the case officer are notified;
    3. open cases whose support ends within 14 days: the advisor and the case officer are warned;
    4. notifications decided but not sent (a worker died) are sent.
    """
    now = now or timezone.now()
    result = SweepResult()

    for application_id in selectors.granted_without_assignment_ids(limit=batch_size):
        if assignment_create_for_application(application_id=application_id) is not None:
            result.assigned += 1

    candidate_ids = list(selectors.sweep_candidates(now=now, limit=batch_size).values_list("id", flat=True))
    for chunk in _chunks(candidate_ids, SWEEP_CHUNK):
        # One transaction per chunk: rows another sweep holds are skipped (SKIP LOCKED), and
        # rows that changed meanwhile drop out of the re-checked filter.
        with transaction.atomic():
            locked = (
                Assignment.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("application")
                .filter(pk__in=chunk, first_contact_at__isnull=True, overdue=False, closed_on__isnull=True)
                .order_by("pk")
            )
            for assignment in locked:
                if _clock_paused(assignment.application):
                    result.skipped_paused += 1
                    continue
                if assignment.contact_deadline <= now:
                    assignment.overdue = True
                    assignment.overdue_at = now
                    assignment._change_reason = "contact deadline passed"
                    assignment.save(update_fields=["overdue", "overdue_at"])
                    result.overdue += 1
                    _notify(assignment, K.OVERDUE_COORDINATOR, enqueue=False)
                    _notify(assignment, K.OVERDUE_CASE_OFFICER, enqueue=False)
                elif _notify(assignment, K.REMINDER, enqueue=False) is not None:
                    result.reminders += 1

    warn_until = timezone.localdate(now) + policy.end_warning_window()
    ending_ids = list(selectors.ending_soon(until=warn_until, limit=batch_size).values_list("id", flat=True))
    for chunk in _chunks(ending_ids, SWEEP_CHUNK):
        with transaction.atomic():
            locked = Assignment.objects.select_for_update(skip_locked=True, of=("self",)).filter(
                pk__in=chunk, closed_on__isnull=True
            )
            for assignment in locked.order_by("pk"):
                if _notify(assignment, K.END_WARNING_ADVISOR, enqueue=False) is not None:
                    result.end_warnings += 1
                _notify(assignment, K.END_WARNING_CASE_OFFICER, enqueue=False)

    from .notifications import notification_deliver

    # Deliver what this run decided, and what a dead worker left unsent.
    for notification_id in selectors.unsent_notification_ids(older_than=timezone.now(), limit=10 * batch_size):
        if notification_deliver(notification_id=notification_id):
            result.delivered += 1
    return result


# --- the advisor's workspace ---------------------------------------------------------------------
def _require_handler(assignment: Assignment, by):
    """The assigned advisor or a coordinator of the case's supplier; anyone else: 404 upstream."""
    if not selectors.can_handle(by, assignment):
        raise PermissionDenied


def contact_record(
    *,
    assignment: Assignment,
    kind: str,
    occurred_at: datetime,
    mode: str,
    place: str = "",
    address: str = "",
    duration_minutes: int | None = None,
    notes: str = "",
    by,
) -> Contact:
    _require_handler(assignment, by)
    now = timezone.now()
    errors = {}
    if mode == "physical" and not place:
        errors["place"] = _("Choose where the physical meeting takes place.")
    if mode != "physical" and (place or address):
        place, address = "", ""
    if kind == Contact.Kind.CONTACT and occurred_at > now:
        errors["occurred_at"] = _("A contact cannot be in the future; record a planned meeting instead.")
    if occurred_at < assignment.granted_at:
        errors["occurred_at"] = _("The date cannot be before the grant.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        contact = Contact.objects.create(
            assignment=assignment,
            kind=kind,
            occurred_at=occurred_at,
            mode=mode,
            place=place,
            address=address,
            duration_minutes=duration_minutes,
            notes=notes,
            recorded_by=by,
        )
        if occurred_at <= now and (assignment.first_contact_at is None or occurred_at < assignment.first_contact_at):
            assignment.first_contact_at = occurred_at
            assignment._change_reason = "first contact recorded"
            assignment.save(update_fields=["first_contact_at"])
    return contact


def needs_assessment_save(*, assignment: Assignment, needs: str, wishes: str, by) -> NeedsAssessment:
    _require_handler(assignment, by)
    if not (needs or "").strip():
        raise ValidationError({"needs": _("Describe the person's needs.")})
    if not (wishes or "").strip():
        raise ValidationError({"wishes": _("Describe the person's wishes.")})
    with transaction.atomic():
        obj, _created = NeedsAssessment.objects.update_or_create(
            assignment=assignment,
            defaults={
                "needs": needs.strip(),
                "wishes": wishes.strip(),
                "updated_by": by,
                "updated_at": timezone.now(),
            },
        )
    return obj


ACTIVITY_WHO = {c for c, _l in PlanVersion.Who.choices}
ACTIVITY_STATUS = {c for c, _l in PlanVersion.Status.choices}


def _clean_activities(activities: list[dict]) -> list[dict]:
    cleaned = []
    for i, a in enumerate(activities, start=1):
        title = (a.get("title") or "").strip()
        if not title:
            continue
        due = a.get("due_date")
        if isinstance(due, date):
            due = due.isoformat()
        if not due:
            raise ValidationError({"activities": _("Activity %(n)s: give a due date.") % {"n": i}})
        if a.get("who") not in ACTIVITY_WHO or a.get("status", "planned") not in ACTIVITY_STATUS:
            raise ValidationError({"activities": _("Activity %(n)s: choose who and a status.") % {"n": i}})
        cleaned.append(
            {
                "id": a.get("id") or PlanVersion.new_activity_id(),
                "title": title[:200],
                "due_date": due,
                "who": a["who"],
                "status": a.get("status") or "planned",
            }
        )
    if not cleaned:
        raise ValidationError({"activities": _("Add at least one activity.")})
    return cleaned


def _new_version(plan: ActionPlan, *, goal, goal_description, activities, by, change_note="") -> PlanVersion:
    last = plan.versions.select_for_update().order_by("-number").first()
    return PlanVersion.objects.create(
        plan=plan,
        number=(last.number + 1) if last else 1,
        goal=goal,
        goal_description=goal_description,
        activities=activities,
        created_by=by,
        change_note=change_note,
    )


def plan_save(
    *, assignment: Assignment, goal: str, goal_description: str, activities: list[dict], by, change_note: str = ""
) -> PlanVersion:
    """Saves the plan as a new version; earlier versions stay as they were."""
    _require_handler(assignment, by)
    if goal not in {c for c, _l in PlanVersion._meta.get_field("goal").choices}:
        raise ValidationError({"goal": _("Choose a goal.")})
    activities = _clean_activities(activities)
    with transaction.atomic():
        plan, _created = ActionPlan.objects.get_or_create(assignment=assignment)
        ActionPlan.objects.select_for_update().get(pk=plan.pk)
        return _new_version(
            plan,
            goal=goal,
            goal_description=(goal_description or "").strip(),
            activities=activities,
            by=by,
            change_note=change_note or _("Saved by the advisor"),
        )


def _require_applicant(assignment: Assignment, by):
    if by is None or assignment.application.applicant_id != by.pk:
        raise PermissionDenied


def plan_confirm(*, assignment: Assignment, version_number: int, by) -> PlanVersion:
    """The applicant confirms the version they read (only the current one can be confirmed)."""
    _require_applicant(assignment, by)
    with transaction.atomic():
        plan = ActionPlan.objects.select_for_update().get(assignment=assignment)
        current = plan.versions.order_by("-number").first()
        if current is None or current.number != version_number:
            raise ValidationError(
                _("The plan has changed since you opened it. Read the new version and confirm again.")
            )
        if current.confirmed_at is None:
            current.confirmed_at = timezone.now()
            current.save(update_fields=["confirmed_at"])
        return current


def plan_activity_mark_done(*, assignment: Assignment, activity_id: str, by) -> PlanVersion:
    """The applicant marks one of their own activities done: a new version of the plan."""
    _require_applicant(assignment, by)
    with transaction.atomic():
        plan = ActionPlan.objects.select_for_update().get(assignment=assignment)
        current = plan.versions.order_by("-number").first()
        activities = [dict(a) for a in current.activities]
        match = next((a for a in activities if a["id"] == activity_id), None)
        if match is None or match["who"] not in ("applicant", "both"):
            raise ValidationError(_("You can only mark your own activities as done."))
        if match["status"] == "done":
            return current
        match["status"] = "done"
        version = _new_version(
            plan,
            goal=current.goal,
            goal_description=current.goal_description,
            activities=activities,
            by=by,
            change_note=_("Activity marked done by the applicant: %(title)s") % {"title": match["title"]},
        )
        # Marking one's own activity done does not need a new confirmation of the plan.
        if current.confirmed_at is not None:
            version.confirmed_at = current.confirmed_at
            version.save(update_fields=["confirmed_at"])
        return version


def assignment_close(*, assignment: Assignment, outcome: str, closed_on: date, by) -> Assignment:
    """Closes the case with an outcome and a date, no later than the end of support (D14)."""
    _require_handler(assignment, by)
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose an outcome.")
    granted_on = timezone.localdate(assignment.granted_at)
    if closed_on < granted_on:
        errors["closed_on"] = _("The date cannot be before the grant.")
    elif closed_on > timezone.localdate():
        errors["closed_on"] = _("The date cannot be in the future.")
    elif closed_on > assignment.support_ends_on:
        errors["closed_on"] = _("The support ended on %(date)s; close the case on that date at the latest.") % {
            "date": assignment.support_ends_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.closed_on is not None:
            raise ValidationError(_("The case is already closed."))
        assignment.closed_on = closed_on
        assignment.outcome = outcome
        assignment._change_reason = "closed"
        assignment.save(update_fields=["closed_on", "outcome"])
    return assignment


def advisor_update(*, advisor: Advisor, active: bool, forstarkt_stod: bool, languages: list[str], by) -> Advisor:
    """A supplier coordinator manages their own supplier's advisors (case officers use the admin)."""
    if by is None or not advisor.supplier.coordinators.filter(pk=by.pk).exists():
        raise PermissionDenied
    codes = [c.strip().lower() for c in languages if c.strip()]
    if not codes or any(not (2 <= len(c) <= 3 and c.isalpha()) for c in codes):
        raise ValidationError({"languages": _("Write language codes such as sv, en, ar, separated by commas.")})
    with transaction.atomic():
        advisor = Advisor.objects.select_for_update().get(pk=advisor.pk)
        advisor.active = active
        advisor.forstarkt_stod = forstarkt_stod
        advisor.languages = codes
        advisor._change_reason = "updated by the supplier coordinator"
        advisor.save(update_fields=["active", "forstarkt_stod", "languages"])
    return advisor
