"""A large input to `evaluate_eligibility` is split over processes: the output is exactly the output
of one process, in input order, with the same error count and exit status; input the parallel path
cannot take goes the one-process way with the same answers."""

import io
import json
import random
import sys

import pytest
from django.core.management import CommandError, call_command

from eligibility.management.commands import evaluate_eligibility as command

from .helpers import ROOT

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.eligibility import generate  # noqa: E402

pytestmark = pytest.mark.django_db


def _run(path, jobs):
    out = io.StringIO()
    try:
        call_command("evaluate_eligibility", str(path), f"--jobs={jobs}", stdout=out)
        status = 0
    except CommandError as exc:
        status = exc.returncode
    return out.getvalue(), status


def test_split_over_processes_gives_the_same_output(tmp_path, monkeypatch):
    cases = generate(601)
    rng = random.Random(7)
    for case in rng.sample(cases, 25):  # some cases that cannot be evaluated, spread over the slices
        case["months"] = [{"month": "2024-13", "hours": 10}]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    one, one_status = _run(path, jobs=1)
    monkeypatch.setattr(command, "PARALLEL_MIN_BYTES", 100)
    calls = []
    original = command._evaluate_in_processes
    monkeypatch.setattr(command, "_evaluate_in_processes", lambda *a: calls.append(a[3]) or original(*a))
    three, three_status = _run(path, jobs=3)
    assert calls == [3]  # the batch really went through three processes
    assert one_status == three_status == 1
    assert json.loads(three) == json.loads(one)
    assert [r["id"] for r in json.loads(three)] == [c["id"] for c in cases]
    assert sum("error" in r for r in json.loads(three)) == 25


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"id": "one", "service": "radgivning"' + " " * 200 + "}", "object"),
        ("[" + " " * 200 + "{]", "invalid"),
    ],
)
def test_input_the_parallel_path_cannot_take_goes_the_one_process_way(tmp_path, monkeypatch, text, expected):
    monkeypatch.setattr(command, "PARALLEL_MIN_BYTES", 100)
    path = tmp_path / "cases.json"
    path.write_text(text)
    if expected == "invalid":
        with pytest.raises(CommandError, match="not valid JSON"):
            call_command("evaluate_eligibility", str(path), "--jobs=2", stdout=io.StringIO())
    else:
        out, status = _run(path, jobs=2)
        assert status == 1  # the case lacks fields: one result with an error, as with one process
        assert json.loads(out)[0]["id"] == "one" and "error" in json.loads(out)[0]


def test_a_small_batch_stays_in_one_process(tmp_path, monkeypatch):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(generate(20)))
    monkeypatch.setattr(command, "_evaluate_in_processes", lambda *a: pytest.fail("forked for 20 cases"))
    out, status = _run(path, jobs=4)
    assert status == 0
    assert len(json.loads(out)) == 20
