"""The public pre-check is rate limited per client address (POSTs only)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, 5, tzinfo=datetime.UTC), tick=False)
def test_precheck_answers_429_after_30_posts_a_minute(client, settings):  # one fixed minute window
    settings.PORTAL_RATELIMIT_ENABLED = True
    cache.clear()
    for _ in range(30):
        assert client.post("/kan-jag-fa-stod/", {}).status_code == 200  # errors shown, not limited
    response = client.post("/kan-jag-fa-stod/", {})
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert client.get("/kan-jag-fa-stod/").status_code == 200  # reading the page is never limited
    cache.clear()
