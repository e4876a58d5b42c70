"""The case officers' queue and case view in the Django admin.

The changelist never runs a full COUNT on an unfiltered list: `show_full_result_count = False` and
an estimated-count paginator that reads pg_class.reltuples. Workflow buttons on the case page call
the services in services.py; nothing here decides anything by itself.
"""

import datetime
import json
import logging
import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from omstallning.accounts.roles import Role

from . import selectors, services, workflow
from .forms import CompletionRequestForm, GrantForm, MessageForm, RefuseForm, TransitionForm
from .models import Application, Attachment, CaseEvent, Decision, Draft, Message

logger = logging.getLogger("applications.staff_search")

REFERENCE_RE = re.compile(r"^OOO-\d{4}-\d{1,6}$", re.IGNORECASE)
PERSONNUMMER_RE = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")


class EstimatedCountPaginator(Paginator):
    """Counts without COUNT(*) on large lists (Postgres).

    Unfiltered: the table's row estimate (pg_class.reltuples). Filtered: the planner's row
    estimate for the query (EXPLAIN, not executed); only when that estimate is small
    (≤ EXACT_BELOW rows) is the list counted exactly. On SQLite, or when the table was never
    analysed, it counts normally.
    """

    EXACT_BELOW = 10_000

    @cached_property
    def count(self):
        qs = self.object_list
        query = getattr(qs, "query", None)
        if query is None or connection.vendor != "postgresql":
            return super().count
        if not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [qs.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] and row[0] > 0:
                return int(row[0])
            return super().count
        try:
            plan = json.loads(qs.explain(format="json"))
            estimate = int(plan[0]["Plan"]["Plan Rows"])
        except (ValueError, KeyError, IndexError, TypeError):
            return super().count
        if estimate > self.EXACT_BELOW:
            return estimate
        return super().count


class AgeFilter(admin.SimpleListFilter):
    title = gettext_lazy("age of case")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [
            ("7", gettext_lazy("Less than 7 days")),
            ("30", gettext_lazy("7–30 days")),
            ("old", gettext_lazy("More than 30 days")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "7":
            return queryset.filter(submitted_at__gte=now - datetime.timedelta(days=7))
        if self.value() == "30":
            return queryset.filter(
                submitted_at__lt=now - datetime.timedelta(days=7), submitted_at__gte=now - datetime.timedelta(days=30)
            )
        if self.value() == "old":
            return queryset.filter(submitted_at__lt=now - datetime.timedelta(days=30))
        return queryset


def _is_officer(user):
    return user.is_active and user.is_staff and (user.has_role(Role.CASE_OFFICER) or user.has_role(Role.ADMINISTRATOR))


class OfficerPermissionMixin:
    """Case officers and administrators see cases; nobody adds or deletes them in the admin."""

    def has_module_permission(self, request):
        return _is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_officer(request.user)

    def has_change_permission(self, request, obj=None):
        return _is_officer(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(OfficerPermissionMixin, SimpleHistoryAdmin):
    list_display = (
        "reference",
        "service",
        "status",
        "priority",
        "submitted_at",
        "due_at",
        "eligible",
        "applicant_name",
        "case_officer",
    )
    list_filter = ("status", "service", "priority", AgeFilter)
    list_select_related = ("applicant", "case_officer")
    search_fields = ("reference",)
    search_help_text = gettext_lazy("Reference number (OOO-2026-000123) or exact personal identity number")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    ordering = ("priority", "submitted_at")
    date_hierarchy = None
    change_form_template = "admin/applications/application/change_form.html"
    readonly_fields = (
        "reference",
        "applicant",
        "service",
        "status",
        "priority",
        "situation",
        "employment_end_date",
        "municipality",
        "meeting_preference",
        "preferred_language",
        "employer_name",
        "employer_org_number",
        "submitted_at",
        "due_at",
        "paused_at",
        "decided_at",
        "granted_at",
        "granted_service",
        "closed_at",
        "case_officer",
        "eligible",
        "version",
    )
    fields = readonly_fields
    # No bulk actions: every decision is taken on the case page (and a checkbox widget per row
    # costs a third of the changelist's render time).
    actions = None

    @admin.display(description=gettext_lazy("applicant"), ordering="applicant__last_name")
    def applicant_name(self, obj):
        return obj.applicant.get_full_name() or obj.applicant.username

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("applicant", "case_officer")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if PERSONNUMMER_RE.match(term):
            # Exact match only; the number itself never reaches the log.
            logger.info("staff search by personnummer by user id %s", request.user.pk)
            from .forms import normalize_personnummer

            try:
                number = normalize_personnummer(term)
            except ValidationError:
                return queryset.none(), False
            return queryset.filter(applicant__personnummer=number), False
        logger.info("staff search by reference by user id %s", request.user.pk)
        # References are stored in upper case: exact and prefix matches use the unique index
        # (and its varchar_pattern_ops twin), never a scan of UPPER(reference).
        if REFERENCE_RE.match(term):
            return queryset.filter(reference=term.upper()), False
        return queryset.filter(reference__startswith=term.upper()), False

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "<int:pk>/transition/<slug:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="applications_application_transition",
            ),
            path(
                "<int:pk>/message/",
                self.admin_site.admin_view(self.message_view),
                name="applications_application_message",
            ),
            path(
                "<int:pk>/take/",
                self.admin_site.admin_view(self.take_view),
                name="applications_application_take",
            ),
        ]
        return custom + urls

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = get_object_or_404(Application.objects.select_related("applicant", "case_officer"), pk=object_id)
        english = translation.get_language() == "en"
        extra = {
            "application": application,
            "transitions": workflow.available(application.status, Role.CASE_OFFICER),
            "events": CaseEvent.objects.filter(application=application).select_related("actor"),
            "case_messages": Message.objects.filter(application=application)
            .select_related("sender")
            .prefetch_related("attachments"),
            "decisions": Decision.objects.filter(application=application).select_related("decided_by"),
            "attachments": Attachment.objects.filter(application=application),
            "reasons": [
                {"rule": r["rule"], "passed": r.get("passed"), "text": r.get("text_en") if english else r.get("text")}
                for r in application.eligibility_result.get("reasons", [])
            ],
            "health": selectors.health_details_for_officer(request.user, application),
            "has_health": application.service == "forstarkt_stod",
            "snapshot_rows": _snapshot_rows(application.snapshot),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def message_view(self, request, pk):
        """A message to the applicant that changes nothing in the case (no status change)."""
        if not _is_officer(request.user):
            raise PermissionDenied
        application = get_object_or_404(Application, pk=pk)
        form = MessageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.message_send(application_id=pk, body=form.cleaned_data["body"], by=request.user)
            self.message_user(request, _("The message was sent."), messages.SUCCESS)
            return redirect("admin:applications_application_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "application": application,
            "form": form,
            "name": "message",
            "label": _("Send a message"),
            "title": f"{_('Send a message')}: {application.reference}",
            "reasons": [],
        }
        return TemplateResponse(request, "admin/applications/application/transition.html", context)

    def take_view(self, request, pk):
        if request.method != "POST":
            return redirect("admin:applications_application_change", pk)
        services.application_take(application_id=pk, by=request.user)
        self.message_user(request, _("You now have this case."), messages.SUCCESS)
        return redirect("admin:applications_application_change", pk)

    def transition_view(self, request, pk, name):
        if not _is_officer(request.user):
            raise PermissionDenied
        application = get_object_or_404(Application, pk=pk)
        if name not in workflow.TRANSITIONS or workflow.TRANSITIONS[name].role != Role.CASE_OFFICER:
            raise PermissionDenied
        form_class = {"grant": GrantForm, "refuse": RefuseForm, "request_completion": CompletionRequestForm}.get(
            name, TransitionForm
        )
        initial = {"version": application.version}
        if name == "grant":
            initial["service"] = application.service
        if name == "refuse":
            initial["failed_rules"] = ", ".join(application.failed_rules)
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if name == "grant":
                    services.application_grant(
                        application_id=pk,
                        service=data["service"],
                        reason=data["reason"],
                        by=request.user,
                        expected_version=data["version"],
                    )
                elif name == "refuse":
                    services.application_refuse(
                        application_id=pk,
                        reason=data["reason"],
                        failed_rules=data["failed_rules"],
                        by=request.user,
                        expected_version=data["version"],
                    )
                elif name == "request_completion":
                    services.application_request_completion(
                        application_id=pk,
                        message=data["reason"],
                        reply_due=data.get("reply_due"),
                        by=request.user,
                        expected_version=data["version"],
                    )
                else:
                    services.application_close(
                        application_id=pk, reason=data["reason"], by=request.user, expected_version=data["version"]
                    )
            except ValidationError as exc:
                errors_by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
                for field, errors in errors_by_field.items():
                    form.add_error(field if field in form.fields else None, errors)
            except (services.ConcurrentDecision, services.TransitionNotAllowed) as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect("admin:applications_application_change", pk)
            else:
                self.message_user(
                    request,
                    _("Done: %(action)s for %(reference)s.")
                    % {"action": TRANSITION_LABELS.get(name, name), "reference": application.reference},
                    messages.SUCCESS,
                )
                return redirect("admin:applications_application_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "application": application,
            "form": form,
            "name": name,
            "label": TRANSITION_LABELS.get(name, name),
            "title": f"{TRANSITION_LABELS.get(name, name)}: {application.reference}",
            "reasons": application.eligibility_result.get("reasons", []),
        }
        return TemplateResponse(request, "admin/applications/application/transition.html", context)


TRANSITION_LABELS = {
    "request_completion": gettext_lazy("Request completion"),
    "grant": gettext_lazy("Grant"),
    "refuse": gettext_lazy("Refuse"),
    "close": gettext_lazy("Close"),
    "answer_completion": gettext_lazy("Answer completion"),
}


def _snapshot_rows(snapshot: dict):
    """The snapshot as (step, [(key, value)]) for display; the work history as a table."""
    rows = []
    for step, data in (snapshot.get("steps") or {}).items():
        if isinstance(data, dict):
            if step == "work_history":
                rows.append((step, [(m["month"], m) for m in data.get("months", [])], True))
            else:
                rows.append((step, list(data.items()), False))
    return rows


class ReadOnlyOfficerAdmin(OfficerPermissionMixin, admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyOfficerAdmin):
    list_display = ("application", "action", "from_status", "to_status", "actor", "at")
    list_select_related = ("application", "actor")
    list_filter = ("action",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(Decision)
class DecisionAdmin(ReadOnlyOfficerAdmin):
    list_display = ("application", "outcome", "service", "decided_by", "decided_at")
    list_select_related = ("application", "decided_by")
    list_filter = ("outcome",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    """Drafts are the applicant's own space: staff see only that they exist, never their content."""

    list_display = ("id", "service", "last_activity_at", "reminder_sent_at")
    fields = ("service", "created_at", "last_activity_at", "reminder_sent_at")
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
