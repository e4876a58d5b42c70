"""The yttrande demo data loads and is idempotent."""

import pytest

from advisors import demo as advisors_demo
from applications.yttrande import demo
from applications.yttrande.models import ApiClient, CaseStatus, YttrandeCase, YttrandeDocument
from omstallning.core.management.commands.seed_demo import seed_users

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent(django_capture_on_commit_callbacks):
    seed_users()
    advisors_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    assert YttrandeCase.objects.count() == 2
    assert ApiClient.objects.count() == 1
    assert YttrandeDocument.objects.count() == 1
    assert YttrandeDocument.objects.get().is_rendered
    statuses = set(YttrandeCase.objects.values_list("status", flat=True))
    assert statuses == {CaseStatus.CONVERSATION, CaseStatus.APPROVED}
    assert all(c.advisor.user.username == "rasmus.radgivare" for c in YttrandeCase.objects.all())
