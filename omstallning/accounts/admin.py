from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import SecurityEvent, User
from .services import user_end_all_sessions


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("phone", "preferred_language")}),
    )
    list_display = ("username", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    actions = ["end_all_sessions"]

    @admin.action(description=_("End every session of the selected users"), permissions=["change"])
    def end_all_sessions(self, request, queryset):
        count = 0
        for user in queryset:
            user_end_all_sessions(user=user, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("Ended the sessions of %(count)d user.", "Ended the sessions of %(count)d users.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read-only: log-ins, failures, lock-outs, second-factor failures, changes, 403s, CSP reports.
    The list page shows counts per kind for the last 24 hours and 30 days."""

    list_display = ("at", "kind", "user_id_ref")
    list_filter = ("kind", ("at", admin.DateFieldListFilter))
    search_fields = ("=user_id_ref",)
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = ("at", "kind", "user_id_ref")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        import datetime

        from django.db.models import Count, Q
        from django.utils import timezone

        now = timezone.now()
        rows = (
            SecurityEvent.objects.filter(at__gte=now - datetime.timedelta(days=30))
            .values("kind")
            .annotate(
                day=Count("id", filter=Q(at__gte=now - datetime.timedelta(days=1))),
                month=Count("id"),
            )
            .order_by("kind")
        )
        labels = dict(SecurityEvent.Kind.choices)
        counts = [{"kind": labels.get(r["kind"], r["kind"]), "day": r["day"], "month": r["month"]} for r in rows]
        return super().changelist_view(request, extra_context={**(extra_context or {}), "event_counts": counts})
