"""Admin: parameter sets and the inkomstbasbelopp table (administrators edit, officers read) and
stored evaluations (read-only, each rule rendered, with the re-evaluation difference)."""

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from omstallning.accounts.roles import Role

from .models import Evaluation, IncomeBaseAmount, ParameterSet
from .services import evaluation_rerun_diff


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR)))


def _is_officer(user) -> bool:
    return bool(user and user.is_authenticated and (_is_admin(user) or user.has_role(Role.CASE_OFFICER)))


class AdministratorEdits:
    """Administrators change policy data; case officers may look at it."""

    def has_module_permission(self, request):
        return _is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_officer(request.user)

    def has_change_permission(self, request, obj=None):
        return _is_admin(request.user)

    def has_add_permission(self, request):
        return _is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return _is_admin(request.user)


@admin.register(ParameterSet)
class ParameterSetAdmin(AdministratorEdits, admin.ModelAdmin):
    list_display = ("version", "is_active", "combine_mode", "max_age", "frame_months", "income_share", "created_at")
    list_filter = ("is_active",)
    save_as = True
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("version", "is_active", "source", "notes", "created_at")}),
        (
            _("Public organisation (ooo)"),
            {
                "fields": (
                    "max_age",
                    "frame_months",
                    "required_months",
                    "hours_per_week",
                    "hours_method",
                    "weeks_per_month",
                    "income_share",
                    "combine_mode",
                    "skippable_cap",
                    "skippable_applies_to_income",
                    "earliest_end_date",
                    "application_window_days",
                    "yttrande_min_age",
                    "yttrande_max_age",
                    "yttrande_age_method",
                    "contact_deadline_days",
                    "priority_ending_first",
                    "vagledning_max_months",
                    "support_max_months",
                )
            },
        ),
        (
            _("CIKO"),
            {
                "fields": (
                    "ciko_max_age",
                    "ciko_application_months",
                    "ciko_min_rate",
                    "ciko_continuous_months",
                    "ciko_continuous_months_fixed_term",
                    "ciko_ose_min_age",
                    "ciko_ose_months",
                    "ciko_ose_lookback_years",
                    "ciko_days_per_month",
                    "ciko_ose_share",
                    "ciko_ose_ibb_year",
                )
            },
        ),
    )


@admin.register(IncomeBaseAmount)
class IncomeBaseAmountAdmin(AdministratorEdits, admin.ModelAdmin):
    list_display = ("year", "amount", "status", "source_url")
    list_filter = ("status",)


def _reasons_table(result: dict):
    reasons = result.get("reasons") or []
    if not reasons:
        return result.get("error") or "—"
    english = (get_language() or "sv").startswith("en")
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
        (
            (
                r["rule"],
                _("passed") if r["passed"] else _("failed"),
                r.get("text_en") if english and r.get("text_en") else r["text"],
            )
            for r in reasons
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("Rule"),
        _("Result"),
        _("Explanation"),
        rows,
    )


def _pre(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "ruleset", "ruleset_version", "service", "eligible", "error")
    list_filter = ("ruleset", "service", "eligible", "ruleset_version")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "ruleset",
        "ruleset_version",
        "service",
        "eligible",
        "error",
        "parameter_set",
        "rule_results",
        "work_requirement",
        "rerun",
        "parameters_json",
        "input_json",
    )
    readonly_fields = fields

    def has_module_permission(self, request):
        return _is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_officer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Rules"))
    def rule_results(self, obj):
        return _reasons_table(obj.result or {})

    @admin.display(description=_("Work requirement"))
    def work_requirement(self, obj):
        wr = (obj.result or {}).get("work_requirement")
        return _pre(wr) if wr else "—"

    @admin.display(description=_("Re-evaluation with the current parameters"))
    def rerun(self, obj):
        diff = evaluation_rerun_diff(obj)
        if not diff["changed"]:
            return _("Same result with the current parameters.")
        parts = [
            format_html(
                "<p>{}: {} → {}</p>",
                _("Eligible"),
                diff["eligible"]["before"],
                diff["eligible"]["after"],
            )
        ]
        if diff["parameters"]:
            parts.append(
                format_html(
                    "<p>{}</p><ul>{}</ul>",
                    _("Changed parameters:"),
                    format_html_join(
                        "", "<li>{}: {} → {}</li>", ((p["name"], p["before"], p["after"]) for p in diff["parameters"])
                    ),
                )
            )
        if diff["rules"]:
            parts.append(
                format_html(
                    "<p>{}</p><ul>{}</ul>",
                    _("Changed rules:"),
                    format_html_join(
                        "",
                        "<li>{}: {} → {}. {}</li>",
                        ((r["rule"], r["before"], r["after"], r["text"]) for r in diff["rules"]),
                    ),
                )
            )
        if diff["amount_sek"]["before"] != diff["amount_sek"]["after"]:
            parts.append(
                format_html(
                    "<p>{}: {} → {}</p>", _("Amount (SEK)"), diff["amount_sek"]["before"], diff["amount_sek"]["after"]
                )
            )
        return format_html_join("", "{}", ((p,) for p in parts))

    @admin.display(description=_("Parameters"))
    def parameters_json(self, obj):
        return _pre(obj.parameters)

    @admin.display(description=_("Input"))
    def input_json(self, obj):
        return _pre(obj.input)
