"""Every worked example of examples.json through the engine: eligible, failed rules, amount."""

import pytest

from eligibility.rules import evaluate, parse_case

from .helpers import EXAMPLES, failed, load_examples

pytestmark = pytest.mark.skipif(
    not EXAMPLES.exists(), reason=f"{EXAMPLES} is missing: the shared examples are not here"
)

CASES = load_examples() if EXAMPLES.exists() else []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_example(case):
    expected = case["expected"]
    result = evaluate(parse_case(case))
    assert result["id"] == case["id"]
    assert result["eligible"] is expected["eligible"]
    assert failed(result) == set(expected["failed_rules"])
    assert result["amount_sek"] == expected.get("amount_sek")
    # A refusal names at least one failed rule; every reason has both languages.
    if not result["eligible"]:
        assert failed(result)
    for reason in result["reasons"]:
        assert reason["text"] and reason["text_en"] and reason["text"] != reason["text_en"]
