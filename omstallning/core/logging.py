"""Log hygiene: personal identity numbers never reach a log line.

The filter masks anything shaped like a personnummer or samordningsnummer (YYYYMMDD-NNNN,
YYYYMMDDNNNN, YYMMDD-NNNN, YYMMDD+NNNN) in the formatted message and in exception text. It is
defence in depth: code must not log personal data in the first place.
"""

import logging
import re

PERSONNUMMER_PATTERN = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
MASK = "[personnummer]"


def redact(text: str) -> str:
    return PERSONNUMMER_PATTERN.sub(MASK, text)


class RedactPersonnummerFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not stop logging
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text)
        return True
