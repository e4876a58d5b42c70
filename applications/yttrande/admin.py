"""Case officers' work on yttranden in the admin: the staff referral form, the check, approval,
correction, the issued documents and the CSN API clients. Every write goes through services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import ReferralAdminForm
from .models import ApiClient, Assessment, Source, YttrandeCase, YttrandeDocument


class OfficerOnly:
    """Case officers and administrators work here (roles, not per-model permissions)."""

    @staticmethod
    def _officer(request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and services._is_officer(user)

    def has_module_permission(self, request):
        return self._officer(request)

    def has_view_permission(self, request, obj=None):
        return self._officer(request)

    def has_add_permission(self, request, *args):
        return self._officer(request)

    def has_change_permission(self, request, obj=None):
        return self._officer(request)

    def has_delete_permission(self, request, obj=None):
        return False


def _run(request, queryset, action, success):
    done = 0
    for case in queryset:
        try:
            action(case=case, by=request.user)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else gettext("Not allowed.")
            messages.error(request, f"{case.reference}: {text}")
    if done:
        messages.success(request, success % {"count": done})


class ReadOnlyInline:
    """Inlines that officers see but never edit here (writes go through the services)."""

    def has_view_permission(self, request, obj=None):
        return OfficerOnly._officer(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssessmentInline(ReadOnlyInline, admin.StackedInline):
    model = Assessment
    extra = 0
    can_delete = False
    fields = [
        "conversation_on",
        "occupation",
        "target_occupation",
        "region",
        "shortage_occupation",
        "labour_market_needs",
        "strengthens",
        "reasons",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields


class DocumentInline(ReadOnlyInline, admin.TabularInline):
    model = YttrandeDocument
    fk_name = "case"
    extra = 0
    can_delete = False
    fields = ["version", "issued_at", "approved_by", "sha256", "sent_to_csn_at", "pdf"]
    readonly_fields = fields

    @admin.display(description=_("PDF"))
    def pdf(self, obj):
        if not obj.is_rendered:
            return gettext("Being rendered")
        return format_html('<a href="{}">{}</a>', reverse("yttrande:staff_document_pdf", args=[obj.pk]), "PDF")


@admin.register(YttrandeCase)
class YttrandeCaseAdmin(OfficerOnly, SimpleHistoryAdmin):
    list_display = ["reference", "person_name", "education_name", "status", "check_outcome", "advisor", "received_at"]
    list_filter = ["status", "check_outcome", "source"]
    # Never the personnummer: a search would put it in the URL.
    search_fields = ["reference", "csn_reference"]
    list_select_related = ["advisor__user"]
    show_full_result_count = False
    inlines = [AssessmentInline, DocumentInline]
    actions = ["run_check", "confirm_responsible", "approve", "reopen_for_correction"]
    readonly_fields = [
        "reference",
        "source",
        "status",
        "received_at",
        "check_outcome",
        "check_result",
        "responsible_organisation",
        "checked_at",
        "application",
        "applicant",
        "assigned_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ReferralAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ReferralAdminForm.Meta.fields})]
        return [
            (None, {"fields": ["reference", "status", "source", "received_at", "csn_reference"]}),
            (
                _("The person"),
                {"fields": ["person_name", "personnummer", "applicant", "application"]},
            ),
            (
                _("Planned education"),
                {
                    "fields": [
                        "education_name",
                        "education_provider",
                        "education_start",
                        "education_weeks",
                        "education_pace",
                    ]
                },
            ),
            (
                _("Responsibility check (R-1.40)"),
                {
                    "fields": [
                        "situation",
                        "employer_org_number",
                        "kollektivavtal",
                        "check_outcome",
                        "check_result",
                        "responsible_organisation",
                        "checked_at",
                    ]
                },
            ),
            (_("Advisor"), {"fields": ["advisor", "assigned_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        locked = [
            "person_name",
            "personnummer",
            "education_name",
            "education_provider",
            "education_start",
            "education_weeks",
            "education_pace",
        ]
        return self.readonly_fields + locked

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description=_("check reasons"))
    def check_result(self, obj):
        return format_html_join(
            "", "<p>{}: {}</p>", ((r.get("rule", ""), r.get("text", "")) for r in obj.check_reasons or [])
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = services.ReferralData(
            personnummer=form.cleaned_data["personnummer"],
            person_name=form.cleaned_data["person_name"],
            csn_reference=form.cleaned_data["csn_reference"],
            education_name=form.cleaned_data["education_name"],
            education_provider=form.cleaned_data["education_provider"],
            education_start=form.cleaned_data["education_start"],
            education_weeks=form.cleaned_data["education_weeks"],
            education_pace=form.cleaned_data["education_pace"],
            situation=form.cleaned_data.get("situation") or "",
            employer_org_number=form.cleaned_data.get("employer_org_number") or "",
            kollektivavtal=form.cleaned_data.get("kollektivavtal"),
        )
        case, created = services.case_receive_referral(data=data, source=Source.STAFF, by=request.user)
        obj.pk = case.pk
        obj.__dict__.update({k: v for k, v in case.__dict__.items() if not k.startswith("_")})
        if not created:
            messages.warning(
                request,
                gettext("A case for this person and education already exists (%(reference)s); no new case was made.")
                % {"reference": case.reference},
            )

    @admin.action(description=_("Run the responsibility check again"))
    def run_check(self, request, queryset):
        _run(request, queryset, services.case_check_responsibility, gettext("Checked %(count)d cases."))

    @admin.action(description=_("Confirm that the public organisation is responsible"))
    def confirm_responsible(self, request, queryset):
        _run(request, queryset, services.case_confirm_responsible, gettext("Confirmed %(count)d cases."))

    @admin.action(description=_("Approve the assessment and issue the yttrande"))
    def approve(self, request, queryset):
        _run(request, queryset, services.case_approve, gettext("Approved %(count)d yttranden."))

    @admin.action(description=_("Reopen an issued yttrande for correction (a new version)"))
    def reopen_for_correction(self, request, queryset):
        _run(request, queryset, services.case_reopen_for_correction, gettext("Reopened %(count)d cases."))


@admin.register(YttrandeDocument)
class YttrandeDocumentAdmin(OfficerOnly, admin.ModelAdmin):
    list_display = ["__str__", "issued_at", "approved_by", "sent_to_csn_at", "rendered_at"]
    list_select_related = ["case", "approved_by"]
    search_fields = ["case__reference"]
    show_full_result_count = False
    fields = [
        "case",
        "version",
        "refers_to",
        "issued_at",
        "approved_by",
        "sha256",
        "size",
        "rendered_at",
        "sent_to_csn_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(OfficerOnly, SimpleHistoryAdmin):
    list_display = ["name", "token_prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    fields = ["name", "expires_at", "token_prefix", "created_at", "revoked_at", "last_used_at"]
    readonly_fields = ["token_prefix", "created_at", "revoked_at", "last_used_at"]
    actions = ["rotate", "revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, token = services.api_client_create(
            name=form.cleaned_data["name"], expires_at=form.cleaned_data.get("expires_at"), by=request.user
        )
        obj.pk = client.pk
        obj.__dict__.update({k: v for k, v in client.__dict__.items() if not k.startswith("_")})
        messages.warning(
            request,
            gettext("The token of %(name)s is shown only now; give it to the client: %(token)s")
            % {"name": client.name, "token": token},
        )

    @admin.action(description=_("Create a new token (the old one stops working)"))
    def rotate(self, request, queryset):
        for client in queryset:
            token = services.api_client_rotate(client=client, by=request.user)
            messages.warning(
                request,
                gettext("The token of %(name)s is shown only now; give it to the client: %(token)s")
                % {"name": client.name, "token": token},
            )

    @admin.action(description=_("Revoke the token"))
    def revoke(self, request, queryset):
        for client in queryset:
            services.api_client_revoke(client=client, by=request.user)
        messages.success(request, gettext("Revoked."))
