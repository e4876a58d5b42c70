"""The fast path for NNNNNN-NNNN agrees with the identity module on every input."""

from hypothesis import given
from hypothesis import strategies as st

from omstallning.core.identity import validate_orgnr
from registry.selectors import normalize_employer_org_number


@given(st.from_regex(r"\A\d{6}-\d{4}\Z"))
def test_fast_path_agrees_with_identity(value):
    assert (normalize_employer_org_number(value) is not None) == validate_orgnr(value)


@given(st.from_regex(r"\A\d{10}\Z"))
def test_other_forms_are_normalised(value):
    result = normalize_employer_org_number(value)
    assert result is None or result == f"{value[:6]}-{value[6:]}"
