"""Case officers manage suppliers and reassign in the admin (reason required)."""

from django.urls import reverse

from advisors.models import AssignmentChange
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import AdvisorFactory
from .sweep_helpers import assigned


def test_case_officer_reassigns_in_the_admin(client, advisor):
    a = assigned()
    other = AdvisorFactory()
    officer = UserFactory(role=Role.CASE_OFFICER)
    client.force_login(officer)
    url = reverse("admin:advisors_assignment_change", args=[a.pk])
    assert client.get(url).status_code == 200
    inlines = {}
    for prefix, n in (("changes", a.changes.count()), ("notifications", a.notifications.count())):
        inlines.update({f"{prefix}-TOTAL_FORMS": n, f"{prefix}-INITIAL_FORMS": n, f"{prefix}-MAX_NUM_FORMS": 1000})
        inlines.update({f"{prefix}-MIN_NUM_FORMS": 0})
        for i, obj in enumerate(getattr(a, prefix).order_by("pk") if prefix == "changes" else a.notifications.all()):
            inlines[f"{prefix}-{i}-id"] = obj.pk
            inlines[f"{prefix}-{i}-assignment"] = a.pk
    response = client.post(url, {"new_advisor": other.pk, "reason": "", **inlines})
    assert response.status_code == 200  # the form shows the missing reason
    a.refresh_from_db()
    assert a.advisor == advisor
    response = client.post(url, {"new_advisor": other.pk, "reason": "Språkbehov", **inlines})
    assert response.status_code == 302, response.context["errors"] if response.context else response
    a.refresh_from_db()
    assert a.advisor == other
    assert AssignmentChange.objects.filter(assignment=a, reason="Språkbehov", changed_by=officer).exists()


def test_supplier_pages_for_case_officers(client, supplier):
    client.force_login(UserFactory(role=Role.CASE_OFFICER))
    assert client.get(reverse("admin:advisors_supplier_changelist")).status_code == 200
    assert client.get(reverse("admin:advisors_supplier_change", args=[supplier.pk])).status_code == 200
    client.force_login(UserFactory(role=Role.ADVISOR, is_staff=True))
    assert client.get(reverse("admin:advisors_supplier_changelist")).status_code == 403
