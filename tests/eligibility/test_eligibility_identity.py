"""omstallning.core.identity: personnummer, samordningsnummer and organisationsnummer."""

from datetime import date

import pytest

from omstallning.core.identity import luhn_ok, normalize_orgnr, parse_personnummer, validate_orgnr

ON = date(2025, 3, 15)


def test_long_forms_with_and_without_hyphen():
    for text in ("19800510-1236", "198005101236"):
        pnr = parse_personnummer(text, on_date=ON)
        assert pnr.birth_date == date(1980, 5, 10)
        assert pnr.normalized == "19800510-1236"


def test_checksum_is_luhn_over_ten_digits():
    assert luhn_ok("8005101236")
    with pytest.raises(ValueError, match="check digit") as info:
        parse_personnummer("19800510-1233", on_date=ON)
    assert info.value.code == "personnummer.checksum"


def test_samordningsnummer_keeps_day_plus_60_in_the_checksum():
    # 1980-05-10 as samordningsnummer: day 70.
    digits = "800570123"
    check = next(c for c in "0123456789" if luhn_ok(digits + c))
    pnr = parse_personnummer(f"19{digits[:6]}-{digits[6:]}{check}", on_date=ON)
    assert pnr.birth_date == date(1980, 5, 10)
    assert pnr.is_coordination_number


def test_short_form_takes_the_latest_century_not_after_the_reference_date():
    assert parse_personnummer("800510-1236", on_date=ON).birth_date == date(1980, 5, 10)
    # 250316 would be tomorrow in 2025, so it is 1925.
    digits = "250316123"
    check = next(c for c in "0123456789" if luhn_ok(digits + c))
    assert parse_personnummer(f"250316-123{check}", on_date=ON).birth_date == date(1925, 3, 16)
    digits = "250315123"
    check = next(c for c in "0123456789" if luhn_ok(digits + c))
    assert parse_personnummer(f"250315-123{check}", on_date=ON).birth_date == date(2025, 3, 15)


def test_plus_means_100_or_older():
    assert parse_personnummer("800510+1236", on_date=ON).birth_date == date(1880, 5, 10)


def test_impossible_date():
    digits = "800230123"
    check = next(c for c in "0123456789" if luhn_ok(digits + c))
    with pytest.raises(ValueError) as info:
        parse_personnummer(f"19{digits[:6]}-123{check}", on_date=ON)
    assert info.value.code == "personnummer.date"


def test_orgnr():
    assert validate_orgnr("556036-0793")
    assert validate_orgnr("5560360793")
    assert normalize_orgnr("5560360793") == "556036-0793"
    assert normalize_orgnr("165560360793") == "556036-0793"
    assert not validate_orgnr("556036-0794")
    assert not validate_orgnr("55603607")
    with pytest.raises(ValueError) as info:
        normalize_orgnr("556036-0794")
    assert info.value.code == "orgnr.checksum"
