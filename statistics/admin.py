from django.contrib import admin

from .models import ApiToken, Reminder, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("organisation", "period", "status", "source", "row_count", "error_count", "created_at")
    list_filter = ("status", "source", "period")
    search_fields = ("organisation__name", "=organisation__org_number")
    list_select_related = ("organisation",)
    show_full_result_count = False
    readonly_fields = [f.name for f in Submission._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("organisation", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_by", "created_at", "last_used_at")
    exclude = ()

    def has_add_permission(self, request):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("organisation", "period", "sent_at", "sent_by", "recipients")
    list_select_related = ("organisation", "sent_by")
