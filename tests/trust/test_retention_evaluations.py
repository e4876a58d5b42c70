"""Retention reaches the stored eligibility evaluation of an application: its input holds the
personnummer or birth date and the work history. Anonymising an application empties that input
(the result stays, so the decision can still be explained); deleting it deletes the evaluation."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from applications.models import Application
from eligibility.models import Evaluation
from omstallning.core.models import RetentionRule
from omstallning.core.services import retention_apply
from tests.applications.factories import submitted_application

pytestmark = pytest.mark.django_db(transaction=False)


def _closed_long_ago():
    application = submitted_application()
    assert application.evaluation_id and Evaluation.objects.get(pk=application.evaluation_id).input
    Application.objects.filter(pk=application.pk).update(status="closed", closed_at=timezone.now())
    return application


@pytest.mark.parametrize("action", ["anonymise", "delete"])
def test_the_stored_evaluation_follows_the_application(action):
    application = _closed_long_ago()
    kept = submitted_application()  # an open case: never touched
    RetentionRule.objects.create(record_type="applications.application", retention_days=30, action=action)
    with time_machine.travel(timezone.now() + dt.timedelta(days=40), tick=False):
        counts = retention_apply()
    assert counts["applications.application"] == 1
    if action == "anonymise":
        evaluation = Evaluation.objects.get(pk=application.evaluation_id)
        assert evaluation.input == {}
        assert evaluation.result  # the explanation of the decision stays
    else:
        assert not Evaluation.objects.filter(pk=application.evaluation_id).exists()
    assert Evaluation.objects.get(pk=kept.evaluation_id).input
