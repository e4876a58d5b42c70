"""Small helpers for the Swedish and English explanation texts."""

from __future__ import annotations

from fractions import Fraction


def sv_int(n: int) -> str:
    """18575 -> '18 575' (Swedish thousands separator, a no-break space)."""
    return f"{n:,}".replace(",", "\u00a0")


def en_int(n: int) -> str:
    return f"{n:,}"


def _dec(value: Fraction, places: int) -> str:
    scaled = round(value * 10**places)
    text = f"{scaled / 10**places:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def sv_num(value: Fraction | int, places: int = 3) -> str:
    return _dec(Fraction(value), places).replace(".", ",")


def en_num(value: Fraction | int, places: int = 3) -> str:
    return _dec(Fraction(value), places)


def pct(value: Fraction) -> str:
    return _dec(value * 100, 2)


def pair(sv: str, en: str) -> tuple[str, str]:
    """The text renderer of a rule result whose texts are already made (see ``ooo.py``)."""
    return sv, en
