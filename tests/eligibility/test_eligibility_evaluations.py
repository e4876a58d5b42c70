"""Stored evaluations: parameters from the database, exact replay, and the re-run difference."""

import json

import pytest

from eligibility.models import Evaluation, IncomeBaseAmount, ParameterSet
from eligibility.rules import DEFAULT_PARAMETERS, Parameters
from eligibility.selectors import current_parameters
from eligibility.services import evaluation_create, evaluation_replay, evaluation_rerun_diff

from .helpers import ooo_case

pytestmark = pytest.mark.django_db


def test_migration_loads_the_documented_defaults():
    assert current_parameters() == DEFAULT_PARAMETERS
    assert IncomeBaseAmount.objects.get(year=2026).status == "uncertain"
    assert ParameterSet.objects.get().source


def test_evaluation_stores_version_parameters_input_and_result():
    case = ooo_case(id="s1")
    evaluation = evaluation_create(case=case)
    evaluation.refresh_from_db()
    assert evaluation.ruleset == "ooo"
    assert evaluation.ruleset_version.startswith("ooo-")
    assert evaluation.eligible is True
    assert evaluation.input == json.loads(json.dumps(case))
    assert Parameters.from_dict(evaluation.parameters) == current_parameters()
    assert evaluation.result["eligible"] is True
    assert evaluation_replay(evaluation) == evaluation.result


def test_malformed_case_is_stored_with_its_error():
    evaluation = evaluation_create(case=ooo_case(id="bad", service="nope"))
    assert evaluation.eligible is False
    assert evaluation.error.startswith("service:")
    assert evaluation.result == {"id": "bad", "error": evaluation.error}


def test_rerun_diff_shows_changed_parameters_and_rules():
    evaluation = evaluation_create(case=ooo_case(birth_date="1960-04-01", application_date="2025-03-31"))
    assert evaluation_rerun_diff(evaluation)["changed"] is False
    ParameterSet.objects.update(max_age=63)
    diff = evaluation_rerun_diff(evaluation)
    assert diff["changed"] is True
    assert diff["eligible"] == {"before": True, "after": False}
    assert {"name": "max_age", "before": 64, "after": 63} in diff["parameters"]
    assert [r["rule"] for r in diff["rules"]] == ["R-1.12"]
    assert diff["rules"][0]["before"] is True and diff["rules"][0]["after"] is False
    # The stored evaluation itself is unchanged and still replays exactly.
    assert Evaluation.objects.get(pk=evaluation.pk).result == evaluation_replay(evaluation)


def test_ibb_rows_feed_the_income_threshold():
    IncomeBaseAmount.objects.filter(year=2024).update(amount=100000)
    assert current_parameters().ibb[2024] == 100000
