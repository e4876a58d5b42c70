from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import User
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
