"""The public lookup page is rate limited per client address (POSTs only)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, 5, tzinfo=datetime.UTC), tick=False)
def test_lookup_answers_429_after_60_posts_a_minute(client, settings):  # one fixed minute window
    settings.PORTAL_RATELIMIT_ENABLED = True
    cache.clear()
    for _ in range(60):
        assert client.post("/hitta-omstallningsorganisation/", {"orgnr": "556036-0793"}).status_code == 200
    assert client.post("/hitta-omstallningsorganisation/", {"orgnr": "556036-0793"}).status_code == 429
    assert client.get("/hitta-omstallningsorganisation/").status_code == 200
    cache.clear()
