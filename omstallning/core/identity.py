"""Swedish identity numbers: personnummer, samordningsnummer and organisationsnummer.

Pure Python, no Django imports, so that the eligibility engine and any app can use it.

Public API::

    parse_personnummer("19800510-1234", on_date=date(2025, 3, 15)) -> Personnummer
    validate_orgnr("556036-0793") -> True / False
    normalize_orgnr("5560360793") -> "556036-0793"   (raises ValueError when invalid)

Every error is a ``ValueError`` (the subclass :class:`IdentityNumberError`) whose first argument is
a short English message key such as ``"personnummer.checksum"``; ``error.code`` holds the key and
``error.detail`` a human-readable English sentence.

Rules (``decisions.md``, "Personnummer"):

* The check digit is Luhn (mod 10) over the ten digits ``YYMMDDNNNC`` as written; a
  samordningsnummer (co-ordination number) keeps its day + 60 in the checksum.
* Accepted forms: ``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``, ``YYMMDD-NNNN``, ``YYMMDD+NNNN`` and
  ``YYMMDDNNNN`` (same as ``-``).
* In the short form the century is the latest that puts the birth date on or before the
  reference date (``on_date``; the application date in the engine, today otherwise). ``+``
  instead of ``-`` means the person is 100 or older on that date.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

__all__ = [
    "IdentityNumberError",
    "Personnummer",
    "luhn_ok",
    "normalize_orgnr",
    "parse_personnummer",
    "validate_orgnr",
]

_LONG_RE = re.compile(r"^(\d{8})-?(\d{4})$")
_SHORT_RE = re.compile(r"^(\d{6})([-+]?)(\d{4})$")
_ORGNR_RE = re.compile(r"^(?:16)?(\d{6})-?(\d{4})$")


class IdentityNumberError(ValueError):
    """A malformed identity number. ``args[0]``/``code`` is the message key."""

    def __init__(self, code: str, detail: str):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True, slots=True)
class Personnummer:
    """A parsed personnummer or samordningsnummer."""

    birth_date: datetime.date
    serial: str  # the four last digits NNNC
    is_coordination_number: bool

    @property
    def normalized(self) -> str:
        """The 12-digit form ``YYYYMMDD-NNNN`` (day + 60 kept for a samordningsnummer)."""
        b = self.birth_date
        day = b.day + 60 if self.is_coordination_number else b.day
        return f"{b.year:04d}{b.month:02d}{day:02d}-{self.serial}"

    def __str__(self) -> str:
        return self.normalized


def luhn_ok(digits: str) -> bool:
    """True if the string of digits passes the Luhn (mod 10) check."""
    total = 0
    for pos, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if pos % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _today() -> datetime.date:
    return datetime.datetime.now(tz=ZoneInfo("Europe/Stockholm")).date()


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _split_day(day: int) -> tuple[int, bool]:
    if day > 60:
        return day - 60, True
    return day, False


def parse_personnummer(value: str, *, on_date: datetime.date | None = None) -> Personnummer:
    """Parse and check a personnummer or samordningsnummer.

    ``on_date`` is the reference date for the short form's century (default: today in Sweden).
    Raises :class:`IdentityNumberError` (a ``ValueError``) with one of the keys
    ``personnummer.type``, ``personnummer.format``, ``personnummer.date``,
    ``personnummer.checksum`` or ``personnummer.future``.
    """
    if not isinstance(value, str):
        raise IdentityNumberError("personnummer.type", "personnummer must be a string")
    text = value.strip()
    ref = on_date or _today()
    m = _LONG_RE.match(text)
    if m:
        ymd, serial = m.group(1), m.group(2)
        year, month, raw_day = int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8])
        day, coord = _split_day(raw_day)
        if not luhn_ok(ymd[2:] + serial):
            raise IdentityNumberError("personnummer.checksum", "personnummer check digit (Luhn) does not match")
        birth = _make_date(year, month, day)
        if birth is None:
            raise IdentityNumberError("personnummer.date", f"personnummer contains an impossible date ({ymd})")
        if birth > ref:
            raise IdentityNumberError("personnummer.future", "personnummer birth date lies in the future")
        return Personnummer(birth, serial, coord)
    m = _SHORT_RE.match(text)
    if not m:
        raise IdentityNumberError(
            "personnummer.format",
            "personnummer must be written YYYYMMDD-NNNN, YYYYMMDDNNNN or YYMMDD-NNNN",
        )
    ymd, sep, serial = m.group(1), m.group(2), m.group(3)
    if not luhn_ok(ymd + serial):
        raise IdentityNumberError("personnummer.checksum", "personnummer check digit (Luhn) does not match")
    yy, month, raw_day = int(ymd[:2]), int(ymd[2:4]), int(ymd[4:6])
    day, coord = _split_day(raw_day)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise IdentityNumberError("personnummer.date", f"personnummer contains an impossible date ({ymd})")
    # The latest year ending in yy that is not after the reference year, then earlier centuries.
    year = ref.year - ((ref.year - yy) % 100)
    limit = ref
    if sep == "+":
        limit = _make_date(ref.year - 100, ref.month, ref.day) or datetime.date(ref.year - 100, 2, 28)
    for _ in range(4):
        birth = _make_date(year, month, day)
        if birth is not None and birth <= limit:
            return Personnummer(birth, serial, coord)
        year -= 100
    raise IdentityNumberError("personnummer.date", f"personnummer contains an impossible date ({ymd})")


def _orgnr_digits(value: str) -> str:
    if not isinstance(value, str):
        raise IdentityNumberError("orgnr.type", "organisationsnummer must be a string")
    m = _ORGNR_RE.match(value.strip().replace(" ", ""))
    if not m:
        raise IdentityNumberError("orgnr.format", "organisationsnummer must be written NNNNNN-NNNN (10 digits)")
    digits = m.group(1) + m.group(2)
    if not luhn_ok(digits):
        raise IdentityNumberError("orgnr.checksum", "organisationsnummer check digit (Luhn) does not match")
    return digits


def normalize_orgnr(value: str) -> str:
    """Return the organisationsnummer as ``NNNNNN-NNNN``.

    Accepts 10 digits with or without the hyphen (and the 12-digit ``16NNNNNNNNNN`` form).
    Raises :class:`IdentityNumberError` (``orgnr.type``, ``orgnr.format``, ``orgnr.checksum``).
    """
    digits = _orgnr_digits(value)
    return f"{digits[:6]}-{digits[6:]}"


def validate_orgnr(value: str) -> bool:
    """True if ``value`` is a well-formed organisationsnummer with a valid Luhn check digit."""
    try:
        _orgnr_digits(value)
    except ValueError:
        return False
    return True
