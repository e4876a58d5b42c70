"""A large input to `evaluate_eligibility` is cut into byte ranges between cases, read one range at a
time and split over processes: the output is exactly the output of reading it whole in one process,
in input order, with the same error count and exit status; input the cut cannot take goes the
one-process way with the same answers."""

import io
import json
import random
import sys

import orjson
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

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
    monkeypatch.setattr(command, "_evaluate_in_processes", lambda *a: calls.append(len(a[1])) or original(*a))
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


def _whole(path):
    """The output of reading the input whole, in one process, as before the cutting."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(command, "_evaluate_split", lambda *a: None)
        return _run(path, jobs=1)


def test_one_process_reads_a_large_input_range_by_range(tmp_path, monkeypatch):
    cases = generate(400)
    cases[123]["months"] = [{"month": "2024-13", "hours": 10}]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases, indent=1))  # whitespace and newlines between the elements too
    whole, whole_status = _whole(path)
    monkeypatch.setattr(command, "RANGE_BYTES", 40_000)
    seen = []
    original = command._evaluate_ranges
    monkeypatch.setattr(command, "_evaluate_ranges", lambda *a: seen.append(len(a[1])) or original(*a))
    monkeypatch.setattr(command, "_evaluate_in_processes", lambda *a: pytest.fail("forked with --jobs=1"))
    out, status = _run(path, jobs=1)
    assert seen and seen[0] > 5  # really cut into many ranges, read in this process
    assert (out, status) == (whole, whole_status)
    assert status == 1 and sum("error" in r for r in json.loads(out)) == 1


def test_a_cut_inside_a_string_goes_the_one_process_way(tmp_path, monkeypatch):
    """An id like "}, 1, 2, 3, …" makes the text after its comma read as array elements for a long
    way, so the sample check takes the cut; the range before it then ends inside a string, is not
    valid on its own, and the whole input is read in one piece instead, with the same output."""
    cases = generate(60)
    for n, case in enumerate(cases):
        case["id"] = f"case {n}}}, " + ", ".join(str(k) for k in range(600))
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    whole, whole_status = _whole(path)
    monkeypatch.setattr(command, "RANGE_BYTES", 20_000)
    monkeypatch.setattr(command, "_TRIAL_BYTES", 1_024)
    answers = []
    original = command._evaluate_ranges
    monkeypatch.setattr(command, "_evaluate_ranges", lambda *a: answers.append(original(*a)) or answers[-1])
    out, status = _run(path, jobs=1)
    assert answers == [None]  # the cut was refused ...
    assert (out, status) == (whole, whole_status)  # ... and the answers are the same
    assert [r["id"] for r in json.loads(out)] == [c["id"] for c in cases]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.sampled_from(["}", "},", "}, {", "]", "[", ",", '"', "å"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "}, {", "b"]), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    elements=st.lists(JSON_VALUES, min_size=1, max_size=30),
    pieces=st.integers(2, 8),
    indent=st.sampled_from([None, 1]),
    trial=st.sampled_from([8, 64, 100_000]),
)
def test_ranges_that_each_parse_are_exactly_the_elements(elements, pieces, indent, trial):
    """Whatever the cut chooses, the check the readers make (every range parses as a non-empty array
    on its own) lets through only cuts between top-level elements: the ranges' elements, in
    order, are the input's."""
    text = json.dumps(elements, indent=indent).encode()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(command, "_TRIAL_BYTES", trial)
        ranges = command._cut(text, pieces)
    assert ranges is not None
    read = []
    for start, stop in ranges:
        try:
            part = orjson.loads(b"[" + text[start:stop] + b"]")
        except orjson.JSONDecodeError:
            return  # refused: the command reads the input whole
        if not part:
            return
        read += part
    assert read == elements
