"""eligibility.selectors.cached_current_parameters: same value as the uncached selector, cleared by
every save or delete of the parameter data (the admin saves through the ORM)."""

import pytest

from eligibility.models import IncomeBaseAmount, ParameterSet
from eligibility.selectors import (
    cached_current_parameters,
    cached_current_parameters_with_set_id,
    current_parameters,
    current_parameters_with_set,
)

pytestmark = pytest.mark.django_db


def test_cached_value_equals_the_uncached_selector():
    assert cached_current_parameters() == current_parameters()
    _, set_id = cached_current_parameters_with_set_id()
    _, parameter_set = current_parameters_with_set()
    assert set_id == (parameter_set.pk if parameter_set else None)


def test_cache_is_cleared_when_a_set_or_an_ibb_row_changes():
    assert cached_current_parameters().required_months == 12
    active = ParameterSet.objects.filter(is_active=True).order_by("-version").first()
    active.required_months = 11
    active.save()
    assert cached_current_parameters().required_months == 11

    row = IncomeBaseAmount.objects.get(year=2025)
    row.amount = 81_000
    row.save()
    assert cached_current_parameters().ibb[2025] == 81_000
    row.delete()
    assert 2025 not in cached_current_parameters().ibb


def test_second_read_makes_no_query(django_assert_num_queries):
    cached_current_parameters()
    with django_assert_num_queries(0):
        cached_current_parameters()
