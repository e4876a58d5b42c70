"""Each process keeps the parameters it read from the shared cache for PARAMETERS_LOCAL_SECONDS:
no cache round trip within that time, the same object while the value is unchanged (the engine
memoises per object), a save in this process seen at once, one in another process within 2 s."""

import dataclasses

import pytest
from django.core.cache import cache

from eligibility import selectors
from eligibility.models import ParameterSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(selectors, "_clock", lambda: now[0])
    selectors._LOCAL.clear()
    cache.delete(selectors._parameters_cache_key())
    yield now
    selectors._LOCAL.clear()


@pytest.fixture
def cache_reads(monkeypatch):
    reads = []
    original = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: reads.append(key) or original(key, *a, **kw))
    return reads


def test_within_the_local_period_the_cache_is_not_asked(clock, cache_reads):
    first = selectors.cached_current_parameters()
    assert len(cache_reads) == 1
    clock[0] += selectors.PARAMETERS_LOCAL_SECONDS - 0.1
    assert selectors.cached_current_parameters() is first
    assert len(cache_reads) == 1


def test_after_it_the_cache_is_asked_and_an_unchanged_value_keeps_its_object(clock, cache_reads):
    first = selectors.cached_current_parameters()
    clock[0] += selectors.PARAMETERS_LOCAL_SECONDS + 0.1
    again = selectors.cached_current_parameters()
    assert len(cache_reads) == 2
    assert again is first  # equal value read back from the cache: the object this process had


def test_a_change_by_another_process_is_seen_after_the_local_period(clock):
    first = selectors.cached_current_parameters()
    # another process saved a new set: its new value is in the shared cache
    changed = (dataclasses.replace(first, required_months=11), None)
    cache.set(selectors._parameters_cache_key(), changed, 300)
    clock[0] += 1.0
    assert selectors.cached_current_parameters().required_months == 12  # still this process's copy
    clock[0] += selectors.PARAMETERS_LOCAL_SECONDS
    assert selectors.cached_current_parameters().required_months == 11


def test_a_save_in_this_process_is_seen_at_once(clock):
    assert selectors.cached_current_parameters().required_months == 12
    active = ParameterSet.objects.filter(is_active=True).order_by("-version").first()
    active.required_months = 10
    active.save()
    assert selectors.cached_current_parameters().required_months == 10
