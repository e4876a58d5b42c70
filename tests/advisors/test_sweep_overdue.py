"""Past the deadline without a contact: the case is marked overdue, the supplier coordinator and
the case officer are notified (once), and the case is in the admin's overdue queue."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from advisors import selectors, services
from advisors.models import Notification

from .sweep_helpers import GRANT, assigned

pytestmark = pytest.mark.usefixtures("advisor")


def test_not_overdue_on_the_last_minute():
    a = assigned()
    with time_machine.travel(GRANT + timedelta(days=7) - timedelta(minutes=1), tick=False):
        services.sweep_contact_deadlines()
    a.refresh_from_db()
    assert a.overdue is False


def test_overdue_marking_and_notifications(coordinator):
    a = assigned()
    mail.outbox.clear()
    now = GRANT + timedelta(days=7, minutes=10)
    with time_machine.travel(now, tick=False):
        result = services.sweep_contact_deadlines()
    a.refresh_from_db()
    assert result.overdue == 1
    assert a.overdue is True
    assert a.overdue_at == now
    kinds = set(Notification.objects.filter(assignment=a).values_list("kind", flat=True))
    assert {"overdue_coordinator", "overdue_case_officer"} <= kinds
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([coordinator.email, a.application.case_officer.email])
    assert all(a.application.reference in m.body for m in mail.outbox)
    assert list(selectors.overdue_assignments()) == [a]


def test_overdue_without_a_case_officer_goes_to_every_case_officer(coordinator):
    from omstallning.accounts.roles import Role
    from tests.factories import UserFactory

    a = assigned(case_officer=None)
    officers = {UserFactory(role=Role.CASE_OFFICER).email for _ in range(2)}
    mail.outbox.clear()
    with time_machine.travel(GRANT + timedelta(days=8), tick=False):
        services.sweep_contact_deadlines()
    sent = {m.to[0] for m in mail.outbox}
    assert officers <= sent
    assert coordinator.email in sent
    assert Notification.objects.get(assignment=a, kind="overdue_case_officer").recipients >= 2


def test_late_contact_stays_overdue_and_is_not_in_time(advisor):
    a = assigned()
    with time_machine.travel(GRANT + timedelta(days=8), tick=False):
        services.sweep_contact_deadlines()
        services.contact_record(
            assignment=a, kind="contact", occurred_at=GRANT + timedelta(days=8), mode="phone", by=advisor.user
        )
        report = selectors.compliance_report()
    a.refresh_from_db()
    assert a.overdue and a.first_contact_at is not None
    assert list(selectors.overdue_assignments()) == []
    assert report["suppliers"][0]["share_in_time"] == 0


def test_admin_overdue_queue_lists_the_case(client):
    from omstallning.accounts.roles import Role
    from tests.factories import UserFactory

    a = assigned()
    other = assigned()
    with time_machine.travel(GRANT + timedelta(days=8), tick=False):
        services.sweep_contact_deadlines()
    services.contact_record(
        assignment=other,
        kind="contact",
        occurred_at=GRANT + timedelta(days=7, hours=1),
        mode="phone",
        by=other.advisor.user,
    )
    client.force_login(UserFactory(role=Role.CASE_OFFICER))
    response = client.get(reverse("admin:advisors_overdueassignment_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert a.application.reference in body
    assert other.application.reference not in body
