"""pytest plugin: the whole test session's log output must hold no personnummer.

Registered in tests/conftest.py (``pytest_plugins = ["tests.logscan"]``) or with
``-p tests.logscan``. A handler on the root logger sees every record that any test, view, task or
library logs in the test process (before any redaction by the portal's own log filter, so code
that logs a personnummer is caught even though production would mask it). At the end of the
session, when something shaped like a real personnummer or samordningsnummer was logged (a valid
date and Luhn check digit, with or without century and separator), the session fails with a list
of the tests and loggers responsible; the numbers themselves are never printed.

A test that logs a personnummer on purpose (to test the redaction itself) is marked
``@pytest.mark.allow_personnummer_in_logs``.
"""

import logging
import re

import pytest

PATTERN = re.compile(r"(?<![\d])(?:(\d{2}))?(\d{2})(\d{2})(\d{2})[-+]?(\d{3})(\d)(?![\d])")
MARKER = "allow_personnummer_in_logs"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for pos, ch in enumerate(reversed(digits)):
        d = int(ch)
        if pos % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def find_personnummer(text: str) -> list[str]:
    """Masked forms (``YYMMDD-****``) of every plausible personnummer in `text`."""
    found = []
    for match in PATTERN.finditer(text):
        century, yy, mm, dd, serial, check = match.groups()
        month, day = int(mm), int(dd)
        if not 1 <= month <= 12:
            continue
        if not (1 <= day <= 31 or 61 <= day <= 91):
            continue
        if century is not None and century not in ("18", "19", "20"):
            continue
        if not _luhn_ok(f"{yy}{mm}{dd}{serial}{check}"):
            continue
        found.append(f"{yy}{mm}{dd}-****")
    return found


class _ScanHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.NOTSET)
        self.findings: list[tuple[str, str, str]] = []
        self.current_test = "(outside any test)"
        self.allowed = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.allowed:
            return
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + record.stack_info
        for masked in find_personnummer(text):
            self.findings.append((self.current_test, record.name, masked))


_handler = _ScanHandler()


def _attach():
    # Django's LOGGING (dictConfig) replaces the root handlers when it is applied: re-attach.
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}: the test logs a personnummer on purpose (tests/logscan.py)")
    _attach()


def pytest_sessionstart(session):
    _attach()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _attach()
    _handler.current_test = item.nodeid
    _handler.allowed = item.get_closest_marker(MARKER) is not None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    _attach()


def pytest_runtest_logfinish(nodeid, location):
    _handler.current_test = "(between tests)"
    _handler.allowed = False


def pytest_sessionfinish(session, exitstatus):
    if _handler.findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _handler.findings:
        terminalreporter.write_line("logscan: no personnummer in the log output of this session")
        return
    terminalreporter.section("logscan: personnummer in log output", sep="=", red=True)
    for test, logger_name, masked in _handler.findings[:50]:
        terminalreporter.write_line(f"{test}: logger {logger_name!r} logged a personnummer ({masked})", red=True)
    terminalreporter.write_line(
        f"{len(_handler.findings)} log record(s) held a personnummer: the session fails.", red=True
    )
