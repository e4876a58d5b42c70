"""Case officers' handling in the admin: registration cases (request completion, register, refuse,
deregister), the register with its history, employer lists, and compensation decisions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import selectors, services, views, workflow
from .forms import (
    CompensationDecisionForm,
    CompletionForm,
    DeregisterForm,
    IndividualCompensationForm,
    RefuseForm,
    RegisterForm,
)
from .models import (
    AffiliationUpload,
    ApiToken,
    CompensationApplication,
    CompensationRow,
    EmployerAffiliation,
    Organisation,
    OrganisationMember,
    RegistrationAttachment,
    RegistrationCase,
    RegistrationEvent,
    RegistrationPeriod,
)


class OfficerPermissions:
    """Case officers and administrators work here (roles are groups without model permissions)."""

    def has_module_permission(self, request):
        return services.is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return services.is_officer(request.user)

    def has_change_permission(self, request, obj=None):
        return services.is_officer(request.user)

    def has_add_permission(self, request, obj=None):
        return services.is_officer(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class OrganisationMemberInline(OfficerPermissions, admin.TabularInline):
    model = OrganisationMember
    extra = 0
    raw_id_fields = ["user"]


class RegistrationPeriodInline(OfficerPermissions, admin.TabularInline):
    model = RegistrationPeriod
    extra = 0
    fields = ("registered_from", "deregistered_on", "decision_number", "deregistration_decision_number", "case")
    readonly_fields = ("case",)


@admin.register(Organisation)
class OrganisationAdmin(OfficerPermissions, SimpleHistoryAdmin):
    list_display = ("name", "org_number", "administration_company", "is_demo")
    search_fields = ("name", "=org_number")
    list_filter = ("is_demo",)
    inlines = [RegistrationPeriodInline, OrganisationMemberInline]


class AttachmentInline(OfficerPermissions, admin.TabularInline):
    model = RegistrationAttachment
    extra = 0
    can_delete = False
    fields = ("topic", "download", "uploaded_at", "status", "refusal_code", "checked_at")
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        # only a file that passed every check can be opened; a refused one is gone from storage
        if obj.status != RegistrationAttachment.Status.CLEAN:
            return obj.original_name
        url = reverse("admin:registry_registrationcase_attachment", args=[obj.case_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(OfficerPermissions, admin.TabularInline):
    model = RegistrationEvent
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


ACTION_FORMS = {
    "request_completion": (CompletionForm, _("Request completion")),
    "register": (RegisterForm, _("Register")),
    "refuse": (RefuseForm, _("Refuse")),
    "deregister": (DeregisterForm, _("Deregister")),
}


@admin.register(RegistrationCase)
class RegistrationCaseAdmin(OfficerPermissions, SimpleHistoryAdmin):
    list_display = ("__str__", "org_number", "state", "submitted_at", "decided_at")
    list_filter = ("state",)
    search_fields = ("name", "=org_number")
    list_select_related = ("applicant",)
    inlines = [AttachmentInline, EventInline]
    change_form_template = "admin/registry/registrationcase/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        # the application is the applicant's; officers act through the actions only
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/bilaga/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="registry_registrationcase_attachment",
            ),
            path(
                "<int:pk>/handling/<str:action>/",
                self.admin_site.admin_view(self.action_view),
                name="registry_registrationcase_action",
            ),
            path(
                "<int:pk>/beslut.pdf",
                self.admin_site.admin_view(self.decision_pdf_view),
                name="registry_registrationcase_decision_pdf",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        case = self.get_object(request, object_id)
        if case is not None:
            extra_context["case_actions"] = [
                (action, ACTION_FORMS[action][1])
                for action in workflow.allowed_actions(case.state, workflow.OFFICER)
                if action in ACTION_FORMS
            ]
            extra_context["decision_pdf"] = case.state in selectors.DECIDED_REGISTRATION_STATES
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def decision_pdf_view(self, request, pk):
        if not services.is_officer(request.user):
            raise PermissionDenied
        case = selectors.registration_decision_for(request.user, pk, officer=True)
        if case is None:
            raise Http404
        return views.registration_letter_pdf_response(case)

    def attachment_view(self, request, pk, attachment_id):
        if not services.is_officer(request.user):
            raise PermissionDenied
        attachment = get_object_or_404(
            RegistrationAttachment, case_id=pk, pk=attachment_id, status=RegistrationAttachment.Status.CLEAN
        )
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)

    def action_view(self, request, pk, action):
        if action not in ACTION_FORMS or not services.is_officer(request.user):
            raise PermissionDenied
        case = get_object_or_404(RegistrationCase, pk=pk)
        form_class, title = ACTION_FORMS[action]
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if action == "request_completion":
                    services.registration_case_request_completion(case=case, what=data["what"], by=request.user)
                elif action == "register":
                    services.registration_case_register(
                        case=case,
                        registered_from=data["registered_from"],
                        decision_number=data["decision_number"],
                        by=request.user,
                    )
                elif action == "refuse":
                    services.registration_case_refuse(
                        case=case, reasons=data["reasons"], decision_number=data["decision_number"], by=request.user
                    )
                elif action == "deregister":
                    services.registration_case_deregister(
                        case=case,
                        deregistered_on=data["deregistered_on"],
                        decision_number=data["decision_number"],
                        reason=data["reason"],
                        by=request.user,
                    )
                self.message_user(request, _("Done: %(action)s.") % {"action": title}, messages.SUCCESS)
                return redirect("admin:registry_registrationcase_change", case.pk)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        for error in errors:
                            form.add_error(name if name in form.fields else None, error)
                else:
                    form.add_error(None, exc)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": case,
            "title": f"{title}: {case}",
            "form": form,
            "action_title": title,
        }
        return TemplateResponse(request, "admin/registry/action_form.html", context)


@admin.register(RegistrationPeriod)
class RegistrationPeriodAdmin(OfficerPermissions, SimpleHistoryAdmin):
    list_display = ("organisation", "registered_from", "deregistered_on", "decision_number")
    list_select_related = ("organisation",)
    date_hierarchy = "registered_from"


@admin.register(EmployerAffiliation)
class EmployerAffiliationAdmin(OfficerPermissions, admin.ModelAdmin):
    list_display = ("employer_org_number", "employer_name", "organisation", "valid_from", "valid_to")
    list_select_related = ("organisation",)
    search_fields = ("=employer_org_number", "employer_name")
    list_filter = ("organisation",)
    show_full_result_count = False
    raw_id_fields = ("upload",)


@admin.register(AffiliationUpload)
class AffiliationUploadAdmin(OfficerPermissions, admin.ModelAdmin):
    list_display = ("organisation", "source", "file_name", "row_count", "uploaded_by", "created_at")
    list_select_related = ("organisation", "uploaded_by")


@admin.register(ApiToken)
class ApiTokenAdmin(OfficerPermissions, admin.ModelAdmin):
    list_display = ("name", "organisation", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("organisation", "name", "prefix", "created_by", "created_at", "last_used_at")

    def has_add_permission(self, request, obj=None):
        return False  # keys are created by the organisation and shown once there


@admin.register(CompensationApplication)
class CompensationApplicationAdmin(OfficerPermissions, SimpleHistoryAdmin):
    change_list_template = "admin/registry/compensationapplication/change_list.html"
    list_display = (
        "organisation",
        "year",
        "kind",
        "employer_org_number",
        "state",
        "row_count",
        "refused_count",
        "total_computed",
        "links",
    )
    list_filter = ("state", "year", "kind")
    search_fields = ("=employer_org_number", "employer_name", "organisation__name", "decision_number")
    list_select_related = ("organisation",)
    readonly_fields = [f.name for f in CompensationApplication._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Decision"))
    def links(self, obj):
        if obj.state == CompensationApplication.State.DECIDED:
            return format_html(
                '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
                reverse("admin:registry_compensation_letter", args=[obj.pk]),
                _("letter"),
                reverse("admin:registry_compensation_letter_pdf", args=[obj.pk]),
                _("letter (PDF)"),
                reverse("admin:registry_compensation_payout", args=[obj.pk]),
                _("payout CSV"),
            )
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:registry_compensation_decide", args=[obj.pk]), _("decide")
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("enskild-ansokan/", wrap(self.individual_view), name="registry_compensation_individual"),
            path("<int:pk>/besluta/", wrap(self.decide_view), name="registry_compensation_decide"),
            path("<int:pk>/beslutsbrev/", wrap(self.letter_view), name="registry_compensation_letter"),
            path("<int:pk>/beslutsbrev.pdf", wrap(self.letter_pdf_view), name="registry_compensation_letter_pdf"),
            path("<int:pk>/utbetalning.csv", wrap(self.payout_view), name="registry_compensation_payout"),
            *super().get_urls(),
        ]

    def _get(self, request, pk):
        if not services.is_officer(request.user):
            raise PermissionDenied
        return get_object_or_404(CompensationApplication.objects.select_related("organisation"), pk=pk)

    def decide_view(self, request, pk):
        application = self._get(request, pk)
        ask_authority = application.filed_by_employer and application.authority_checked_at is None
        form = CompensationDecisionForm(request.POST or None, ask_authority=ask_authority)
        if request.method == "POST" and form.is_valid():
            try:
                services.compensation_decide(
                    application=application,
                    decision_number=form.cleaned_data["decision_number"],
                    exceptions=form.cleaned_data["exceptions"],
                    authority_checked=form.cleaned_data.get("authority_checked", False),
                    by=request.user,
                )
                self.message_user(request, _("The application was decided."), messages.SUCCESS)
                return redirect("admin:registry_compensationapplication_changelist")
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
        refused = application.rows.filter(status=CompensationRow.Status.REFUSED)[:200]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": application,
            "title": _("Decide: %(application)s") % {"application": application},
            "form": form,
            "action_title": _("Decide"),
            "refused": refused,
            "individual": application if application.filed_by_employer else None,
            "row": application.rows.first() if application.kind == CompensationApplication.Kind.INDIVIDUAL else None,
        }
        return TemplateResponse(request, "admin/registry/action_form.html", context)

    def individual_view(self, request):
        """Register an employer's individual application (enskild ansökan) received on KK's form."""
        if not services.is_officer(request.user):
            raise PermissionDenied
        form = IndividualCompensationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            result = services.compensation_file(
                organisation=data["organisation"],
                year=data["year"],
                records=[(1, data["employer_org_number"], data["fees_paid"], data["payroll_base"])],
                by=request.user,
                kind=CompensationApplication.Kind.INDIVIDUAL,
                filed_on=data["filed_on"],
            )
            if result.ok:
                self.message_user(request, _("The individual application was registered."), messages.SUCCESS)
                return redirect("admin:registry_compensation_decide", result.application.pk)
            for error in result.errors:
                form.add_error(None, error.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": _("Individual application"),
            "title": _("Register an individual application"),
            "form": form,
            "action_title": _("Register"),
        }
        return TemplateResponse(request, "admin/registry/action_form.html", context)

    def letter_view(self, request, pk):
        return views.letter_response(request, self._get(request, pk))

    def letter_pdf_view(self, request, pk):
        return views.letter_pdf_response(self._get(request, pk))

    def payout_view(self, request, pk):
        return views.payout_response(self._get(request, pk))
