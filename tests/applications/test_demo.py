"""The demo data: sara.sokande's applications in different states, idempotent."""

import pytest

from applications import demo
from applications.models import Application, Draft, Status
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_covers_the_states(monkeypatch):
    from applications import services

    monkeypatch.setattr(services, "_enqueue_advisor_assignment", lambda pk: None)
    sara = UserFactory(username="sara.sokande", role=Role.APPLICANT)
    sara.personnummer = "191212121212"
    sara.save()
    UserFactory(username="hanna.handlaggare", role=Role.CASE_OFFICER)
    demo.seed()
    demo.seed()
    statuses = set(Application.objects.filter(applicant=sara).values_list("status", flat=True))
    assert statuses == {Status.SUBMITTED, Status.NEEDS_COMPLETION, Status.GRANTED, Status.REFUSED}
    assert Application.objects.filter(applicant=sara).count() == 4
    assert Draft.objects.filter(applicant=sara).count() == 1
