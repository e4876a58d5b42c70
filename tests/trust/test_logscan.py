"""The log-scan plugin (tests/logscan.py) fails a test session that logged a personnummer."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.logscan import find_personnummer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text",
    ["applicant 19121212-1212 saved", "pnr=191212121212", "121212-1212", "121212+1212", "samordning 19701063-2391"],
)
def test_it_finds_every_form(text):
    assert find_personnummer(text)
    assert "1212-1212" not in find_personnummer(text)[0]  # the report masks the number


@pytest.mark.parametrize(
    "text",
    ["epoch 1764000000", "case OOO-2026-000123", "amount 1234567890", "19121212-1213", "phone 0701234567"],
)
def test_it_ignores_numbers_that_are_not_personnummer(text):
    assert find_personnummer(text) == []


def _run(tmp_path, body):
    (tmp_path / "test_sample.py").write_text(body)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.logscan",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-q",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_a_session_that_logs_a_personnummer_fails_without_printing_it(tmp_path):
    out = _run(
        tmp_path,
        "import logging\n"
        "def test_leaks():\n"
        "    logging.getLogger('leaky.app').warning('looked up %s', '191212121212')\n"
        "def test_clean():\n"
        "    logging.getLogger('clean.app').warning('looked up case %s', 42)\n",
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "2 passed" in out.stdout
    assert "test_sample.py::test_leaks: logger 'leaky.app' logged a personnummer (121212-****)" in out.stdout
    assert "191212121212" not in out.stdout
    assert "test_clean" not in out.stdout.split("logscan")[-1]


def test_a_clean_session_passes_and_the_marker_allows_a_deliberate_leak(tmp_path):
    out = _run(
        tmp_path,
        "import logging, pytest\n"
        "@pytest.mark.allow_personnummer_in_logs\n"
        "def test_redaction_test():\n"
        "    logging.getLogger('x').error('19121212-1212')\n"
        "def test_clean():\n"
        "    logging.getLogger('x').error('nothing here')\n",
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "logscan: no personnummer in the log output of this session" in out.stdout
