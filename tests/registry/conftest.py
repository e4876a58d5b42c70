import pytest
from django.utils import translation


@pytest.fixture
def english():
    """Messages in English, for tests that read a message's words."""
    with translation.override("en"):
        yield
