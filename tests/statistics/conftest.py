import pytest


@pytest.fixture(autouse=True)
def _swedish():
    from django.utils import translation

    with translation.override("sv"):
        yield
