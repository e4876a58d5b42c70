from django.contrib import admin

from omstallning.accounts.roles import Role

from .models import AccessibilityReport, AccessLog, RetentionRule


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only and searchable: who opened, searched, exported or deleted which record."""

    list_display = ("at", "username", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("=username", "=object_id", "object_type")
    date_hierarchy = "at"
    show_full_result_count = False
    list_select_related = False
    readonly_fields = ("at", "user", "username", "object_type", "object_id", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("record_type", "retention_days", "action", "decision_reference", "is_active")
    list_filter = ("action", "is_active")
    search_fields = ("record_type", "decision_reference")


@admin.register(AccessibilityReport)
class AccessibilityReportAdmin(admin.ModelAdmin):
    """Reports from the accessibility statement's form, for the case officers."""

    list_display = ("received_at", "page", "handled")
    list_filter = ("handled",)
    search_fields = ("page", "description")
    readonly_fields = ("page", "description", "contact", "language", "received_at")
    fields = ("received_at", "page", "description", "contact", "language", "handled", "response_notes")

    def has_add_permission(self, request):
        return False

    def _officer(self, request):
        return request.user.is_superuser or request.user.has_role(Role.CASE_OFFICER)

    def has_module_permission(self, request):
        return self._officer(request)

    def has_view_permission(self, request, obj=None):
        return self._officer(request)

    def has_change_permission(self, request, obj=None):
        return self._officer(request)
