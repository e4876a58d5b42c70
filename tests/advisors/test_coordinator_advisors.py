"""A supplier coordinator manages their own supplier's advisors; others get 404."""

from django.urls import reverse

from advisors.models import Advisor

from .factories import AdvisorFactory


def test_coordinator_updates_own_advisor(client, coordinator, advisor):
    client.force_login(coordinator)
    url = reverse("advisors:supplier_advisors")
    assert str(advisor) in client.get(url).content.decode()
    response = client.post(url, {"advisor": advisor.pk, "forstarkt_stod": "on", "languages": "sv, ar"})
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert (advisor.active, advisor.forstarkt_stod, advisor.languages) == (False, True, ["sv", "ar"])


def test_coordinator_cannot_touch_another_suppliers_advisor(client, coordinator, advisor):
    other = AdvisorFactory()
    client.force_login(coordinator)
    response = client.post(reverse("advisors:supplier_advisors"), {"advisor": other.pk, "languages": "sv"})
    assert response.status_code == 404
    assert Advisor.objects.get(pk=other.pk).active is True


def test_advisor_gets_404(client, advisor):
    client.force_login(advisor.user)
    assert client.get(reverse("advisors:supplier_advisors")).status_code == 404
