"""Personal identity numbers never reach a log line."""

import logging

from omstallning.core.logging import RedactPersonnummerFilter, redact


def test_redact_masks_every_personnummer_form():
    for pnr in ["19121212-1212", "191212121212", "121212-1212", "121212+1212", "19701063-2391"]:
        assert redact(f"looked up {pnr} today") == "looked up [personnummer] today"
    assert redact("case OOO-2026-000123 and amount 1234") == "case OOO-2026-000123 and amount 1234"


def test_filter_rewrites_the_record(caplog):
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactPersonnummerFilter())
    try:
        with caplog.at_level(logging.INFO, logger="test.redaction"):
            logger.info("applicant %s submitted", "191212121212")
        assert "191212121212" not in caplog.text
        assert "[personnummer]" in caplog.text
    finally:
        logger.filters.clear()
