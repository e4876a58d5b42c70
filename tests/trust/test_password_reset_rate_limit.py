"""Reset requests are limited per address (5 an hour, a fixed window): the sixth gets 429 with
Retry-After, whether or not the address belongs to an account; another address is not affected."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .password_helpers import RESET_SENT_URL, ask_for_reset

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits_on(settings):
    settings.PORTAL_RATELIMIT_ENABLED = True
    cache.clear()
    yield settings
    cache.clear()


@pytest.mark.parametrize("address", ["kalle@example.org", "finns.inte@example.org"], ids=["known", "unknown"])
def test_the_sixth_request_for_an_address_in_an_hour_gets_429(
    client, limits_on, django_capture_on_commit_callbacks, mailoutbox, address
):
    UserFactory(username="kalle", role=Role.CASE_OFFICER, email="kalle@example.org")
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 10, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(5):
            response = ask_for_reset(client, django_capture_on_commit_callbacks, address)
            assert response.status_code == 302 and response["Location"] == RESET_SENT_URL
        # The same address in other letter case and with spaces counts as the same address.
        blocked = ask_for_reset(client, django_capture_on_commit_callbacks, f"  {address.upper()} ")
        assert blocked.status_code == 429
        assert blocked["Retry-After"] == str(50 * 60)
        sent = len(mailoutbox)
        assert sent == (5 if address.startswith("kalle") else 0)
        # Another address has its own count.
        other = ask_for_reset(client, django_capture_on_commit_callbacks, "annan@example.org")
        assert other.status_code == 302
        # The next hour is free again.
        clock.shift(dt.timedelta(minutes=50))
        assert ask_for_reset(client, django_capture_on_commit_callbacks, address).status_code == 302
