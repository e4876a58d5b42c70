"""Retention (gallringsplan) and GDPR article 15 for the advisors app.

Loaded at start-up by core (``autodiscover_modules("privacy")``). Record types (periods are
`core.RetentionRule` rows, see docs/security.md); every rule counts from the day the assignment
was closed (``closed_on``), open assignments are never touched:

* ``advisors.assignment``: ``delete`` removes the assignment with its contacts, kartläggning,
  action plan, notifications, changes and history (the application itself follows its own rule);
  ``anonymise`` keeps the assignment (dates, outcome) and empties every free text about the person.
* ``advisors.actionplan``: the plan and its versions; ``anonymise`` keeps goal, dates and
  statuses and empties descriptions and activity titles.
* ``advisors.contact``: the contact log; ``anonymise`` empties notes and addresses.
"""

from omstallning.core.services import iso, register_personal_data_exporter, register_retention_handler

from .models import ActionPlan, Assignment, Contact, NeedsAssessment, PlanVersion


def _closed_before(cutoff):
    return Assignment.objects.filter(closed_on__isnull=False, closed_on__lt=cutoff.date())


def _anonymise_plans(plan_ids) -> int:
    changed = 0
    for version in PlanVersion.objects.filter(plan_id__in=plan_ids):
        activities = [{**a, "title": ""} for a in (version.activities or [])]
        if version.goal_description or activities != version.activities:
            PlanVersion.objects.filter(pk=version.pk).update(goal_description="", activities=activities)
            changed += 1
    return changed


def _anonymise_contacts(assignment_ids) -> int:
    return (
        Contact.objects.filter(assignment_id__in=assignment_ids)
        .exclude(notes="", address="")
        .update(notes="", address="")
    )


@register_retention_handler("advisors.assignment")
def assignment_retention(*, cutoff, action) -> int:
    closed = _closed_before(cutoff)
    ids = list(closed.values_list("pk", flat=True))
    if not ids:
        return 0
    if action == "anonymise":
        needs = NeedsAssessment.objects.filter(assignment_id__in=ids).exclude(needs="", wishes="")
        need_ids = list(needs.values_list("pk", flat=True))
        needs.update(needs="", wishes="")
        NeedsAssessment.history.filter(id__in=need_ids).update(needs="", wishes="")
        plans = ActionPlan.objects.filter(assignment_id__in=ids).values_list("pk", flat=True)
        touched = bool(need_ids) + _anonymise_plans(list(plans)) + _anonymise_contacts(ids)
        return len(ids) if touched else 0
    count = 0
    for assignment in Assignment.objects.filter(pk__in=ids):
        pk = assignment.pk
        need_ids = list(NeedsAssessment.objects.filter(assignment_id=pk).values_list("pk", flat=True))
        assignment.delete()
        Assignment.history.filter(id=pk).delete()
        NeedsAssessment.history.filter(id__in=need_ids).delete()
        count += 1
    return count


@register_retention_handler("advisors.actionplan")
def action_plan_retention(*, cutoff, action) -> int:
    plans = ActionPlan.objects.filter(assignment__in=_closed_before(cutoff))
    if action == "anonymise":
        return _anonymise_plans(list(plans.values_list("pk", flat=True)))
    count = 0
    for plan in plans:
        plan.delete()
        count += 1
    return count


@register_retention_handler("advisors.contact")
def contact_retention(*, cutoff, action) -> int:
    ids = list(_closed_before(cutoff).values_list("pk", flat=True))
    if action == "anonymise":
        return _anonymise_contacts(ids)
    return Contact.objects.filter(assignment_id__in=ids).delete()[1].get("advisors.Contact", 0)


# --- GDPR article 15 ----------------------------------------------------------------------------


@register_personal_data_exporter("advisors")
def export_advisor_support(user) -> list[dict]:
    """The person's counselling: who the advisor is, contacts, kartläggning and action plan."""
    assignments = (
        Assignment.objects.filter(application__applicant=user)
        .select_related("application", "supplier", "advisor__user")
        .order_by("assigned_at", "pk")
    )
    result = []
    for a in assignments:
        needs = NeedsAssessment.objects.filter(assignment=a).first()
        plan = ActionPlan.objects.filter(assignment=a).first()
        result.append(
            {
                "application": a.application.reference,
                "service": a.service,
                "supplier": a.supplier.name,
                "advisor": a.advisor.user.get_full_name() or a.advisor.user.get_username(),
                "assigned_at": iso(a.assigned_at),
                "first_contact_at": iso(a.first_contact_at),
                "support_ends_on": iso(a.support_ends_on),
                "closed_on": iso(a.closed_on),
                "outcome": a.outcome,
                "contacts": [
                    {
                        "kind": c.kind,
                        "occurred_at": iso(c.occurred_at),
                        "mode": c.mode,
                        "place": c.place,
                        "address": c.address,
                        "duration_minutes": c.duration_minutes,
                        "notes": c.notes,
                    }
                    for c in Contact.objects.filter(assignment=a).order_by("occurred_at", "pk")
                ],
                "needs_assessment": (
                    {"needs": needs.needs, "wishes": needs.wishes, "updated_at": iso(needs.updated_at)}
                    if needs
                    else None
                ),
                "plan": (
                    [
                        {
                            "version": v.number,
                            "goal": v.goal,
                            "goal_description": v.goal_description,
                            "activities": v.activities,
                            "created_at": iso(v.created_at),
                            "confirmed_at": iso(v.confirmed_at),
                        }
                        for v in plan.versions.order_by("number")
                    ]
                    if plan
                    else None
                ),
            }
        )
    return result
