from django.contrib import admin

from .models import Organisation, OrganisationMember


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "org_number", "is_demo")
    search_fields = ("name", "=org_number")
    inlines = [OrganisationMemberInline]
