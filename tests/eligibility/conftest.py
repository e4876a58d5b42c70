import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_parameters_cache():
    """Rolled-back test transactions send no signals: start and end each test with no cached
    eligibility parameters (eligibility.selectors.cached_current_parameters)."""
    cache.clear()
    yield
    cache.clear()
