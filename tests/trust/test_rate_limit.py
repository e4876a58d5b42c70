"""The core rate limiter: the decorator, the in-view check, the DRF throttle, the log-in limit."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from omstallning.core.ratelimit import client_ip, hit, is_rate_limited, parse_rate, rate_limit


@pytest.fixture(autouse=True)
def _limits_on(settings):
    settings.PORTAL_RATELIMIT_ENABLED = True
    cache.clear()
    yield
    cache.clear()


@rate_limit(group="test-view", rate="3/m", key="ip", methods=("POST",))
def sample_view(request):
    return HttpResponse("ok")


def test_parse_rate():
    assert parse_rate("10/m") == (10, 60)
    assert parse_rate("5/hour") == (5, 3600)
    for bad in ["ten/m", "10/x", "0/m", "10"]:
        with pytest.raises(ValueError):
            parse_rate(bad)


@pytest.mark.django_db
def test_the_fourth_post_in_a_minute_gets_429_and_the_next_minute_is_free_again():
    rf = RequestFactory()
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, 10, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(3):
            assert sample_view(rf.post("/x", REMOTE_ADDR="10.0.0.1")).status_code == 200
        blocked = sample_view(rf.post("/x", REMOTE_ADDR="10.0.0.1"))
        assert blocked.status_code == 429
        assert blocked["Retry-After"] == "50"
        assert "För många förfrågningar" in blocked.content.decode()
        # GETs are not counted; another address has its own count.
        assert sample_view(rf.get("/x", REMOTE_ADDR="10.0.0.1")).status_code == 200
        assert sample_view(rf.post("/x", REMOTE_ADDR="10.0.0.2")).status_code == 200
        clock.shift(dt.timedelta(seconds=51))
        assert sample_view(rf.post("/x", REMOTE_ADDR="10.0.0.1")).status_code == 200


@pytest.mark.django_db
def test_switched_off_nothing_is_counted(settings):
    settings.PORTAL_RATELIMIT_ENABLED = False
    rf = RequestFactory()
    for _ in range(10):
        assert sample_view(rf.post("/x", REMOTE_ADDR="10.0.0.3")).status_code == 200


def test_key_by_user_and_in_view_check(django_user_model, db):
    rf = RequestFactory()
    user = django_user_model.objects.create(username="counted")
    results = []
    for address in ["10.0.0.4", "10.0.0.5", "10.0.0.6"]:  # the same user from three addresses
        request = rf.post("/x", REMOTE_ADDR=address)
        request.user = user
        results.append(is_rate_limited(request, group="lookup", rate="2/m", key="user"))
    assert results == [False, False, True]


def test_client_ip_behind_trusted_proxies(settings):
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert client_ip(request) == "10.9.9.9"
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "1.2.3.4"  # a client-supplied first entry is never trusted


def test_counts_are_per_window_and_identities_are_hashed():
    first = hit(group="g", identity="ip:1.2.3.4", rate="1/m", now=120.0)
    second = hit(group="g", identity="ip:1.2.3.4", rate="1/m", now=150.0)
    third = hit(group="g", identity="ip:1.2.3.4", rate="1/m", now=180.0)
    assert (first.allowed, second.allowed, third.allowed) == (True, False, True)
    assert not any("1.2.3.4" in key for key in cache._cache)  # locmem's store


@pytest.mark.django_db
def test_the_log_in_view_is_limited_per_address(client):
    # A frozen clock: the limit is a fixed window per minute, and a run that crosses a minute boundary
    # would start a fresh window half-way (seen once in CI).
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, 5, tzinfo=dt.UTC), tick=False):
        _twenty_one_log_in_attempts(client)


def _twenty_one_log_in_attempts(client):
    for _ in range(20):
        client.post("/konto/logga-in/", {"username": f"u{_}", "password": "x"}, REMOTE_ADDR="10.1.1.1")
    assert (
        client.post("/konto/logga-in/", {"username": "u", "password": "x"}, REMOTE_ADDR="10.1.1.1").status_code == 429
    )


@pytest.mark.django_db
def test_the_api_throttle_answers_429(settings):
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    class Limited(APIView):
        permission_classes = []
        authentication_classes = []
        portal_rate = "2/m"

        def get(self, request):
            return Response({"ok": True})

    view = Limited.as_view()
    factory = APIRequestFactory()
    codes = [view(factory.get("/api/x", REMOTE_ADDR="10.2.2.2")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "omstallning.core.ratelimit.PortalAPIThrottle" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
