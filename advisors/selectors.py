"""Reads of the advisors app, with the role filter: an advisor sees only the cases assigned to
them, a supplier coordinator only their supplier's cases; everyone else sees nothing (404)."""

from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from applications.models import Application, Status

from . import policy
from .models import Assignment, Contact, Notification, Supplier


def median(values: list[float]) -> float:
    """The median (the stdlib module's name is taken by the project's statistics app)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def sweep_candidates(*, now: datetime, limit: int = 200) -> QuerySet:
    """Open cases without a first contact, not yet overdue, whose deadline is within the reminder
    window. The filter matches the partial index ``adv_assign_sweep_idx`` exactly, so Postgres
    reads only that small index (bench/deadline_sweep.py shows the plan)."""
    return Assignment.objects.filter(
        first_contact_at__isnull=True,
        overdue=False,
        closed_on__isnull=True,
        contact_deadline__lte=now + policy.reminder_window(),
    ).order_by("contact_deadline")[:limit]


def ending_soon(*, until: date, limit: int = 200) -> QuerySet:
    """Open cases whose support ends on or before ``until`` and whose advisor was not warned."""
    warned = Notification.objects.filter(assignment=OuterRef("pk"), kind=Notification.Kind.END_WARNING_ADVISOR)
    return (
        Assignment.objects.filter(closed_on__isnull=True, support_ends_on__lte=until)
        .exclude(Exists(warned))
        .order_by("support_ends_on")[:limit]
    )


def _granted_without_assignment() -> QuerySet:
    """Granted applications that have no advisor assignment (yet).

    ``status = 'granted'`` matches the partial index ``adv_app_granted_idx`` on
    ``(granted_at, id) WHERE status = 'granted'`` (advisors migration 0002), which holds only the
    granted rows; the NOT EXISTS is an anti-join on the assignment's unique ``application_id``
    index. No sequential scan of the applications or the assignments table
    (bench/advisors_unassigned.py shows the plans at 1,000,000 applications)."""
    has_assignment = Assignment.objects.filter(application=OuterRef("pk"))
    return Application.objects.filter(status=Status.GRANTED, granted_at__isnull=False).exclude(Exists(has_assignment))


def granted_without_assignment_ids(*, limit: int = 200) -> list[int]:
    """The oldest grants first (ties by id, so the order is stable), at most ``limit``: Postgres walks
    the partial index in order and stops after ``limit`` unassigned rows."""
    return list(_granted_without_assignment().order_by("granted_at", "id").values_list("id", flat=True)[:limit])


def granted_without_assignment_count() -> int:
    """How many granted applications have no assignment: one COUNT query, no ids fetched."""
    return _granted_without_assignment().count()


def unsent_notification_ids(*, older_than: datetime, limit: int = 200) -> list[int]:
    return list(
        Notification.objects.filter(sent_at__isnull=True, created_at__lte=older_than)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )


def visible_assignments(user) -> QuerySet:
    """The cases a user may work on: their own as advisor, their supplier's as coordinator."""
    if user is None or not user.is_authenticated:
        return Assignment.objects.none()
    condition = Q(advisor__user=user) | Q(supplier__coordinators=user)
    ids = Assignment.objects.filter(condition).values("id")
    return Assignment.objects.filter(id__in=ids)


def can_handle(user, assignment: Assignment) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return visible_assignments(user).filter(pk=assignment.pk).exists()


def clients_for(user) -> QuerySet:
    """'Mina klienter': open cases first, by deadline, with the next planned meeting."""
    now = timezone.now()
    upcoming = Contact.objects.filter(kind=Contact.Kind.MEETING, occurred_at__gte=now).order_by("occurred_at")
    return (
        visible_assignments(user)
        .select_related("application__applicant", "advisor__user", "supplier")
        .prefetch_related(Prefetch("contacts", queryset=upcoming, to_attr="upcoming_meetings"))
        .order_by("closed_on", "first_contact_at", "contact_deadline")
    )


def assignment_for(user, pk: int) -> Assignment | None:
    return (
        visible_assignments(user)
        .select_related("application__applicant", "advisor__user", "supplier")
        .filter(pk=pk)
        .first()
    )


def assignment_for_applicant(user, application_id: int) -> Assignment | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        Assignment.objects.select_related("application", "advisor__user", "supplier")
        .filter(application_id=application_id, application__applicant=user)
        .first()
    )


def overdue_assignments() -> QuerySet:
    return Assignment.objects.filter(overdue=True, first_contact_at__isnull=True, closed_on__isnull=True)


def compliance_report(*, now: datetime | None = None) -> dict:
    """Per supplier and per advisor: the share of first contacts made within the deadline, and the
    median time to the first contact (in hours). A case counts once its deadline has passed or
    its first contact is made; cases still within the deadline without a contact are not judged."""
    now = now or timezone.now()
    rows = (
        Assignment.objects.filter(Q(first_contact_at__isnull=False) | Q(contact_deadline__lte=now))
        .select_related("supplier", "advisor__user")
        .order_by("supplier__rank", "advisor_id")
    )

    def new_group(label):
        return {"label": label, "cases": 0, "in_time": 0, "hours": []}

    suppliers: dict[int, dict] = {}
    advisors: dict[int, dict] = {}
    for a in rows:
        for groups, key, label in (
            (suppliers, a.supplier_id, str(a.supplier)),
            (advisors, a.advisor_id, f"{a.advisor} ({a.supplier})"),
        ):
            g = groups.setdefault(key, new_group(label))
            g["cases"] += 1
            if a.first_contact_at is not None:
                if a.first_contact_at <= a.contact_deadline:
                    g["in_time"] += 1
                g["hours"].append((a.first_contact_at - a.granted_at).total_seconds() / 3600)

    def finish(groups):
        out = []
        for g in groups.values():
            out.append(
                {
                    "label": g["label"],
                    "cases": g["cases"],
                    "in_time": g["in_time"],
                    "share_in_time": g["in_time"] / g["cases"] if g["cases"] else None,
                    "median_hours": median(g["hours"]) if g["hours"] else None,
                    "contacted": len(g["hours"]),
                }
            )
        return out

    unassigned = granted_without_assignment_count()
    return {
        "suppliers": finish(suppliers),
        "advisors": finish(advisors),
        "unassigned": unassigned,
        "deadline_days": policy.contact_deadline_days(),
        "all_suppliers": Supplier.objects.count(),
    }


# --- for the statistics app (plain rows, no model instances) ---------------------------------
def contacts_and_outcomes(application_ids) -> dict[int, dict]:
    """For the given application ids: {application id: {"first_contact_at", "closed_on",
    "outcome"}} of their advisor assignment (applications without one are absent). For the
    agency's own statistics report; queried in chunks of 5,000 ids."""
    ids = list(application_ids)
    result: dict[int, dict] = {}
    for i in range(0, len(ids), 5000):
        rows = Assignment.objects.filter(application_id__in=ids[i : i + 5000]).values_list(
            "application_id", "first_contact_at", "closed_on", "outcome"
        )
        for application_id, first_contact_at, closed_on, outcome in rows:
            result[application_id] = {"first_contact_at": first_contact_at, "closed_on": closed_on, "outcome": outcome}
    return result
