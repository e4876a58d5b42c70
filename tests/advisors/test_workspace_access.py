"""The advisor's workspace: an advisor sees only their own cases, a supplier coordinator only their
supplier's; everyone else gets 404. The applicant sees only their own plan."""

import pytest
from django.urls import reverse

from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import AdvisorFactory
from .sweep_helpers import assigned


@pytest.fixture
def case(advisor):
    return assigned()


def pages(a):
    return [
        reverse("advisors:client", args=[a.pk]),
        reverse("advisors:contact_new", args=[a.pk]),
        reverse("advisors:needs", args=[a.pk]),
        reverse("advisors:plan_edit", args=[a.pk]),
        reverse("advisors:close", args=[a.pk]),
    ]


def test_the_assigned_advisor_sees_the_case(client, case, advisor):
    client.force_login(advisor.user)
    response = client.get(reverse("advisors:clients"))
    assert case.application.reference in response.content.decode()
    assert "Mina klienter" in response.content.decode()
    for url in pages(case):
        assert client.get(url).status_code == 200, url


def test_coordinator_sees_their_suppliers_cases(client, case, coordinator):
    client.force_login(coordinator)
    assert case.application.reference in client.get(reverse("advisors:clients")).content.decode()
    assert client.get(pages(case)[0]).status_code == 200


@pytest.mark.parametrize("who", ["other_advisor", "other_coordinator", "applicant", "case_officer"])
def test_others_get_404(client, case, who):
    if who == "other_advisor":
        user = AdvisorFactory().user
    elif who == "other_coordinator":
        user = UserFactory(role=Role.SUPPLIER_COORDINATOR)
        AdvisorFactory().supplier.coordinators.add(user)
    elif who == "applicant":
        user = case.application.applicant
    else:
        user = UserFactory(role=Role.CASE_OFFICER)
    client.force_login(user)
    for url in pages(case):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("advisors:clients"))
    assert listing.status_code == 404 or case.application.reference not in listing.content.decode()


def test_applicant_plan_is_only_for_the_applicant(client, case, advisor):
    url = reverse("advisors:applicant_plan", args=[case.application_id])
    client.force_login(case.application.applicant)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role=Role.APPLICANT))
    assert client.get(url).status_code == 404
    client.force_login(advisor.user)
    assert client.get(url).status_code == 404


def test_compliance_report_for_case_officers_only(client, case, advisor):
    client.force_login(advisor.user)
    assert client.get(reverse("advisors:compliance")).status_code == 404
    client.force_login(UserFactory(role=Role.CASE_OFFICER))
    assert client.get(reverse("advisors:compliance")).status_code == 200
