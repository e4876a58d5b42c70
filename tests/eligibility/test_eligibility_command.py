"""`manage.py evaluate_eligibility` exactly as eligibility-cli.md: every example through the command."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from .helpers import EXAMPLES, ROOT, load_examples, ooo_case

pytestmark = pytest.mark.django_db


def _run(path_or_dash, stdin=None, *args):
    out = io.StringIO()
    if stdin is not None:
        old = sys.stdin
        sys.stdin = io.StringIO(stdin)
    try:
        call_command("evaluate_eligibility", path_or_dash, *args, stdout=out)
    finally:
        if stdin is not None:
            sys.stdin = old
    return json.loads(out.getvalue())


@pytest.mark.skipif(not EXAMPLES.exists(), reason=f"{EXAMPLES} is missing: the shared examples are not here")
def test_every_example_through_the_command():
    cases = load_examples()
    results = _run(str(EXAMPLES))
    assert [r["id"] for r in results] == [c["id"] for c in cases]
    for case, result in zip(cases, results, strict=True):
        expected = case["expected"]
        assert "error" not in result, result
        assert result["eligible"] is expected["eligible"], case["id"]
        assert {r["rule"] for r in result["reasons"] if not r["passed"]} == set(expected["failed_rules"]), case["id"]
        assert result["amount_sek"] == expected.get("amount_sek"), case["id"]
        assert set(result) >= {"id", "ruleset", "service", "eligible", "reasons", "amount_sek"}
        for reason in result["reasons"]:
            assert set(reason) == {"rule", "passed", "text"}


def test_single_object_from_stdin():
    results = _run("-", json.dumps(ooo_case(id="one")))
    assert len(results) == 1
    assert results[0]["id"] == "one"
    assert results[0]["eligible"] is True
    assert results[0]["work_requirement"] == {
        "route": "hours",
        "qualifying_months_hours": 24,
        "qualifying_months_income": 0,
        "frame": ["2023-03", "2025-02"],
    }


def test_english_texts_on_request():
    result = _run("-", json.dumps([ooo_case()]), "--lang", "en")[0]
    assert result["reasons"][0]["text"].startswith("You said")


def test_bad_case_is_reported_others_still_evaluated_exit_status_1(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([ooo_case(id="a"), ooo_case(id="b", service="nope"), ooo_case(id="c")]))
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("evaluate_eligibility", str(path), stdout=out)
    assert info.value.returncode == 1
    results = json.loads(out.getvalue())
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert results[1] == {"id": "b", "error": results[1]["error"]}
    assert results[1]["error"].startswith("service:")
    assert results[0]["eligible"] and results[2]["eligible"]


def test_exit_status_from_the_shell(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([ooo_case(id="a"), ooo_case(id="b", birth_date="1980-02-30")]))
    proc = subprocess.run(
        [sys.executable, "manage.py", "evaluate_eligibility", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "omstallning.settings.test"},
    )
    assert proc.returncode == 1, proc.stderr
    results = json.loads(proc.stdout)
    assert results[0]["eligible"] is True
    assert results[1]["error"].startswith("birth_date:")


def test_unreadable_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("evaluate_eligibility", str(tmp_path / "missing.json"), stdout=io.StringIO())


def test_numbers_orjson_would_change_are_read_and_written_as_json_does():
    """An id beyond 64 bits is echoed exactly and NaN as NaN (the standard library's reading)."""
    text = '[{"id": 123456789012345678901234567890, "service": "x"}, {"id": NaN, "service": "x"}]'
    out = io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        with pytest.raises(CommandError):
            call_command("evaluate_eligibility", "-", stdout=out)
    finally:
        sys.stdin = old
    assert out.getvalue().startswith('[{"id": 123456789012345678901234567890, "error": ')
    assert '{"id": NaN, "error": ' in out.getvalue()
