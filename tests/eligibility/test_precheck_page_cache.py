"""The empty pre-check form is rendered once per language and day and then reused: the same page
for every visitor, each with its own CSRF token; a new day or another language renders afresh."""

import datetime
import re

import pytest
import time_machine

from eligibility import views

pytestmark = pytest.mark.django_db

URL = "/kan-jag-fa-stod/"


@pytest.fixture(autouse=True)
def _empty_cache():
    views._EMPTY_FIELDS_HTML.clear()
    yield
    views._EMPTY_FIELDS_HTML.clear()


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", re.sub(r'nonce="[^"]+"', "", html))


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_the_second_visitor_gets_the_same_questions_without_building_the_form(client, monkeypatch):
    first = client.get(URL).content.decode()
    built = []
    original = views.PrecheckForm
    monkeypatch.setattr(views, "PrecheckForm", lambda *a, **k: built.append(1) or original(*a, **k))
    other = client.__class__()
    second = other.get(URL).content.decode()
    assert built == []
    assert _without_token(second) == _without_token(first)
    assert 'name="hours_2026_10"' in second and 'name="hours_2024_11"' in second  # the 24-month grid
    assert "csrfmiddlewaretoken" in second


def test_a_new_day_and_another_language_render_afresh(client):
    with time_machine.travel(datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC), tick=False):
        november = client.get(URL).content.decode()
        english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        december = client.get(URL).content.decode()
    assert 'name="hours_2026_10"' in november and 'name="hours_2026_11"' not in november
    assert 'name="hours_2026_11"' in december
    assert "Hours, income and benefit per month" in english
    assert "Hours, income and benefit per month" not in november
    assert len(views._EMPTY_FIELDS_HTML) == 3


def test_a_post_with_errors_still_shows_them_at_the_fields(client):
    client.get(URL)
    response = client.post(URL, {"service": "radgivning"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in html
