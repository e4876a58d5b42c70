"""The advisor's workspace ("Mina klienter"), the applicant's plan page and the compliance report.

Thin: selectors decide what a user may see (others get 404), services do every write.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from omstallning.accounts.roles import Role

from . import selectors, services
from .forms import ActivityFormSet, CloseForm, ContactForm, NeedsAssessmentForm, PlanForm
from .models import ActionPlan, NeedsAssessment


def _countdown(assignment, now):
    """Days and hours left to the contact deadline (negative when passed)."""
    if assignment.first_contact_at is not None:
        return None
    seconds = (assignment.contact_deadline - now).total_seconds()
    sign = 1 if seconds >= 0 else -1
    hours = int(abs(seconds) // 3600)
    return {"passed": sign < 0, "days": hours // 24, "hours": hours % 24}


def _status(assignment):
    if assignment.closed_on:
        return _("Closed")
    if assignment.first_contact_at:
        return _("In progress")
    if assignment.overdue:
        return _("Overdue: no first contact")
    return _("Waiting for first contact")


def _get_assignment(request, pk):
    assignment = selectors.assignment_for(request.user, pk)
    if assignment is None:
        raise Http404
    return assignment


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def clients(request):
    user = request.user
    if not (user.has_role(Role.ADVISOR) or user.has_role(Role.SUPPLIER_COORDINATOR)):
        raise Http404
    now = timezone.now()
    rows = []
    for a in selectors.clients_for(user):
        rows.append(
            {
                "assignment": a,
                "countdown": _countdown(a, now),
                "status": _status(a),
                "next_meeting": a.upcoming_meetings[0] if a.upcoming_meetings else None,
            }
        )
    return render(request, "advisors/clients.html", {"rows": rows, "now": now})


@login_required
def client_detail(request, pk):
    assignment = _get_assignment(request, pk)
    plan = ActionPlan.objects.filter(assignment=assignment).first()
    versions = list(plan.versions.order_by("-number")) if plan else []
    context = {
        "assignment": assignment,
        "application": assignment.application,
        "countdown": _countdown(assignment, timezone.now()),
        "status": _status(assignment),
        "contacts": assignment.contacts.all(),
        "needs": NeedsAssessment.objects.filter(assignment=assignment).first(),
        "plan": versions[0] if versions else None,
        "versions": versions,
        "changes": assignment.changes.select_related("from_advisor__user", "to_advisor__user"),
    }
    return render(request, "advisors/client_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request, pk):
    assignment = _get_assignment(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(assignment=assignment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The contact was recorded."))
            return redirect("advisors:client", pk=assignment.pk)
    return render(request, "advisors/contact_form.html", {"assignment": assignment, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def needs_assessment(request, pk):
    assignment = _get_assignment(request, pk)
    existing = NeedsAssessment.objects.filter(assignment=assignment).first()
    initial = {"needs": existing.needs, "wishes": existing.wishes} if existing else None
    form = NeedsAssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.needs_assessment_save(assignment=assignment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The kartläggning was saved."))
            return redirect("advisors:client", pk=assignment.pk)
    return render(request, "advisors/needs_form.html", {"assignment": assignment, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    assignment = _get_assignment(request, pk)
    plan = ActionPlan.objects.filter(assignment=assignment).first()
    current = plan.current if plan else None
    initial = {"goal": current.goal, "goal_description": current.goal_description} if current else None
    activities_initial = list(current.activities) if current else None
    form = PlanForm(request.POST or None, initial=initial)
    formset = ActivityFormSet(request.POST or None, initial=activities_initial, prefix="activities")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        activities = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("title")]
        try:
            services.plan_save(
                assignment=assignment,
                goal=form.cleaned_data["goal"],
                goal_description=form.cleaned_data["goal_description"],
                change_note=form.cleaned_data["change_note"],
                activities=activities,
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The plan was saved as a new version."))
            return redirect("advisors:client", pk=assignment.pk)
    return render(
        request,
        "advisors/plan_form.html",
        {"assignment": assignment, "form": form, "formset": formset, "current": current},
    )


@login_required
def plan_version(request, pk, number):
    assignment = _get_assignment(request, pk)
    plan = ActionPlan.objects.filter(assignment=assignment).first()
    version = plan.versions.filter(number=number).first() if plan else None
    if version is None:
        raise Http404
    return render(request, "advisors/plan_version.html", {"assignment": assignment, "version": version})


@login_required
@require_http_methods(["GET", "POST"])
def close(request, pk):
    assignment = _get_assignment(request, pk)
    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_close(assignment=assignment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The case was closed."))
            return redirect("advisors:client", pk=assignment.pk)
    return render(request, "advisors/close_form.html", {"assignment": assignment, "form": form})


@login_required
def compliance(request):
    user = request.user
    if not (user.has_role(Role.CASE_OFFICER) or user.has_role(Role.ADMINISTRATOR)):
        raise Http404
    return render(request, "advisors/compliance.html", {"report": selectors.compliance_report()})


# --- the applicant --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def applicant_plan(request, application_id):
    assignment = selectors.assignment_for_applicant(request.user, application_id)
    if assignment is None:
        raise Http404
    plan = ActionPlan.objects.filter(assignment=assignment).first()
    current = plan.current if plan else None
    if request.method == "POST" and current is not None:
        try:
            if "confirm" in request.POST:
                services.plan_confirm(
                    assignment=assignment, version_number=int(request.POST.get("version") or 0), by=request.user
                )
                messages.success(request, _("You have confirmed the plan."))
            elif "done" in request.POST:
                services.plan_activity_mark_done(
                    assignment=assignment, activity_id=request.POST.get("done", ""), by=request.user
                )
                messages.success(request, _("The activity is marked done."))
        except (ValidationError, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        except PermissionDenied as exc:
            raise Http404 from exc
        return redirect("advisors:applicant_plan", application_id=application_id)
    versions = list(plan.versions.order_by("-number")) if plan else []
    return render(
        request,
        "advisors/applicant_plan.html",
        {"assignment": assignment, "plan": current, "versions": versions, "selected": current},
    )


@login_required
def applicant_plan_version(request, application_id, number):
    assignment = selectors.assignment_for_applicant(request.user, application_id)
    plan = ActionPlan.objects.filter(assignment=assignment).first() if assignment else None
    version = plan.versions.filter(number=number).first() if plan else None
    if version is None:
        raise Http404
    return render(
        request,
        "advisors/applicant_plan.html",
        {"assignment": assignment, "plan": plan.current, "versions": list(plan.versions.all()), "selected": version},
    )


@login_required
@require_http_methods(["GET", "POST"])
def supplier_advisors(request):
    """A supplier coordinator's page: their suppliers' advisors, with activity, qualification and
    languages; everyone else gets 404."""
    from .forms import AdvisorSettingsForm
    from .models import Advisor

    advisors = list(
        Advisor.objects.filter(supplier__coordinators=request.user).select_related("user", "supplier").distinct()
    )
    if not advisors and not request.user.coordinated_suppliers.exists():
        raise Http404
    error_form = None
    if request.method == "POST":
        form = AdvisorSettingsForm(request.POST)
        if form.is_valid():
            advisor = next((a for a in advisors if a.pk == form.cleaned_data["advisor"]), None)
            if advisor is None:
                raise Http404
            try:
                services.advisor_update(
                    advisor=advisor,
                    active=form.cleaned_data["active"],
                    forstarkt_stod=form.cleaned_data["forstarkt_stod"],
                    languages=form.cleaned_data["languages"].replace(";", ",").split(","),
                    by=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The advisor was updated."))
                return redirect("advisors:supplier_advisors")
        error_form = form
    rows = [
        AdvisorSettingsForm(
            initial={
                "advisor": a.pk,
                "active": a.active,
                "forstarkt_stod": a.forstarkt_stod,
                "languages": ", ".join(a.languages or []),
            },
            prefix=f"a{a.pk}",
        )
        for a in advisors
    ]
    return render(
        request,
        "advisors/supplier_advisors.html",
        {"pairs": list(zip(advisors, rows, strict=True)), "error_form": error_form},
    )
