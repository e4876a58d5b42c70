"""The portal's roles. Each role is a Django auth Group with the code name below; the groups are
created by a data migration, so they exist in every database, including the test database."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    APPLICANT = "applicant"  # sökande
    CASE_OFFICER = "case_officer"  # handläggare
    ADVISOR = "advisor"  # rådgivare
    SUPPLIER_COORDINATOR = "supplier_coordinator"  # leverantörssamordnare
    ORGANISATION_REPORTER = "organisation_reporter"  # rapportör hos omställningsorganisation
    ANALYST = "analyst"  # analytiker
    ADMINISTRATOR = "administrator"  # systemadministratör


ROLE_LABELS = {
    Role.APPLICANT: _("Applicant"),
    Role.CASE_OFFICER: _("Case officer"),
    Role.ADVISOR: _("Advisor"),
    Role.SUPPLIER_COORDINATOR: _("Supplier coordinator"),
    Role.ORGANISATION_REPORTER: _("Organisation reporter"),
    Role.ANALYST: _("Analyst"),
    Role.ADMINISTRATOR: _("Administrator"),
}

# Roles whose members work in the Django admin (is_staff).
STAFF_ROLES = frozenset({Role.CASE_OFFICER, Role.ADMINISTRATOR})
