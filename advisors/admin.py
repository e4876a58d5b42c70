"""Case officers manage suppliers and advisors, see assignments, reassign with a reason, and work
the overdue queue. Writes that carry rules go through services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from applications.models import Service
from omstallning.accounts.roles import Role

from . import selectors, services
from .models import (
    Advisor,
    Assignment,
    AssignmentChange,
    Notification,
    OverdueAssignment,
    Supplier,
    SupplierArea,
)


class CaseOfficerAccess:
    """Case officers and administrators work here (roles are groups without model permissions)."""

    def _allowed(self, request):
        user = request.user
        return user.is_active and user.is_staff and (user.has_role(Role.CASE_OFFICER) or user.is_superuser)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class LanguagesField(forms.CharField):
    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        codes = [c.strip().lower() for c in (value or "").replace(";", ",").split(",") if c.strip()]
        for code in codes:
            if not (2 <= len(code) <= 3 and code.isalpha()):
                raise ValidationError(_("Languages: write language codes such as sv, en, ar, separated by commas."))
        return codes or ["sv"]


class SupplierForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("services"), choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = LanguagesField(label=_("languages"), help_text=_("Language codes, e.g. sv, en, ar."))

    class Meta:
        model = Supplier
        fields = [
            "name",
            "organisation_number",
            "rank",
            "capacity",
            "services",
            "languages",
            "national_digital",
            "active",
            "coordinators",
        ]


class SupplierAreaInline(admin.TabularInline):
    model = SupplierArea
    extra = 1

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return True

    def has_change_permission(self, request, obj=None):
        return True

    def has_delete_permission(self, request, obj=None):
        return True


@admin.register(Supplier)
class SupplierAdmin(CaseOfficerAccess, SimpleHistoryAdmin):
    form = SupplierForm
    list_display = ("rank", "name", "capacity", "open_cases", "national_digital", "active")
    list_display_links = ("name",)
    list_filter = ("active", "national_digital")
    search_fields = ("name",)
    filter_horizontal = ("coordinators",)
    inlines = [SupplierAreaInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_open=Count("assignments", filter=Q(assignments__closed_on__isnull=True)))
        )

    @admin.display(description=_("open cases"), ordering="_open")
    def open_cases(self, obj):
        return obj._open

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "coordinators":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(groups__name=str(Role.SUPPLIER_COORDINATOR))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AdvisorForm(forms.ModelForm):
    languages = LanguagesField(label=_("languages"), help_text=_("Language codes, e.g. sv, en, ar."))

    class Meta:
        model = Advisor
        fields = ["user", "supplier", "forstarkt_stod", "languages", "active"]


@admin.register(Advisor)
class AdvisorAdmin(CaseOfficerAccess, SimpleHistoryAdmin):
    form = AdvisorForm
    list_display = ("user", "supplier", "forstarkt_stod", "languages", "active")
    list_filter = ("supplier", "forstarkt_stod", "active")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    raw_id_fields = ("user",)
    list_select_related = ("user", "supplier")


class AssignmentChangeInline(admin.TabularInline):
    model = AssignmentChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_advisor", "to_advisor", "reason", "changed_by")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = ("kind", "created_at", "sent_at", "recipients")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReassignForm(forms.ModelForm):
    new_advisor = forms.ModelChoiceField(
        label=_("Reassign to"),
        queryset=Advisor.objects.filter(active=True).select_related("user", "supplier"),
        required=False,
        help_text=_("The contact deadline does not move."),
    )
    reason = forms.CharField(
        label=_("Reason for the reassignment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    class Meta:
        model = Assignment
        fields = []

    def clean(self):
        data = super().clean()
        if data.get("new_advisor") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the reassignment."))
        if data.get("new_advisor") and self.instance.pk and data["new_advisor"].pk == self.instance.advisor_id:
            self.add_error("new_advisor", _("The case is already assigned to this advisor."))
        return data


@admin.register(Assignment)
class AssignmentAdmin(CaseOfficerAccess, SimpleHistoryAdmin):
    form = ReassignForm
    list_display = (
        "reference",
        "service",
        "advisor",
        "supplier",
        "contact_deadline",
        "first_contact_at",
        "overdue",
        "closed_on",
    )
    list_filter = ("overdue", "service", "supplier", ("closed_on", admin.EmptyFieldListFilter))
    search_fields = ("application__reference",)
    list_select_related = ("application", "advisor__user", "supplier")
    show_full_result_count = False
    readonly_fields = (
        "application",
        "service",
        "supplier",
        "advisor",
        "granted_at",
        "assigned_at",
        "contact_deadline",
        "first_contact_at",
        "overdue",
        "overdue_at",
        "support_ends_on",
        "closed_on",
        "outcome",
    )
    fieldsets = (
        (None, {"fields": readonly_fields}),
        (_("Reassign"), {"fields": ("new_advisor", "reason")}),
    )
    inlines = [AssignmentChangeInline, NotificationInline]

    def has_add_permission(self, request, *args):
        return False  # assignments are made by the assignment service

    @admin.display(description=_("reference"), ordering="application__reference")
    def reference(self, obj):
        return obj.application.reference

    def save_model(self, request, obj, form, change):
        advisor = form.cleaned_data.get("new_advisor")
        if advisor is None:
            return
        try:
            services.assignment_reassign(
                assignment=obj, advisor=advisor, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["title"] = _("Assignments")
        return super().changelist_view(request, extra_context)


@admin.register(OverdueAssignment)
class OverdueAssignmentAdmin(AssignmentAdmin):
    list_display = ("reference", "service", "advisor", "supplier", "contact_deadline", "overdue_at", "report_link")
    list_filter = ("service", "supplier")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=selectors.overdue_assignments().values("pk"))

    @admin.display(description=_("compliance"))
    def report_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("advisors:compliance"), _("report"))


@admin.register(Notification)
class NotificationAdmin(CaseOfficerAccess, admin.ModelAdmin):
    list_display = ("assignment", "kind", "sequence", "created_at", "sent_at", "recipients")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    list_select_related = ("assignment__application", "assignment__advisor__user")
    readonly_fields = ("assignment", "kind", "sequence", "created_at", "sent_at", "recipients")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
