"""The "Apply" page lists the 10 most recently saved drafts, says how many there are and pages
through the rest: one query for the page and one COUNT, however many drafts there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Draft, Service

from .factories import ApplicantFactory, DraftFactory

pytestmark = pytest.mark.django_db


def _drafts(user, n):
    start = timezone.now() - datetime.timedelta(days=5)
    Draft.objects.bulk_create(
        Draft(applicant=user, service=Service.RADGIVNING, last_activity_at=start + datetime.timedelta(minutes=i))
        for i in range(n)
    )
    return list(Draft.objects.filter(applicant=user).order_by("-last_activity_at"))


def _draft_queries(captured):
    return [q["sql"] for q in captured if 'FROM "applications_draft"' in q["sql"]]


def _listed(content, drafts):
    return [d.pk for d in drafts if reverse("applications:step", args=[d.pk, "om-dig"]).encode() in content]


def test_the_page_is_bounded_with_a_count_and_two_queries(client):
    user = ApplicantFactory()
    drafts = _drafts(user, 57)
    DraftFactory()  # another person's draft is neither listed nor counted
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("applications:choose_service"))
    assert response.status_code == 200
    queries = _draft_queries(captured.captured_queries)
    assert len(queries) == 2, queries
    assert sum("COUNT(" in q for q in queries) == 1
    listed_query = next(q for q in queries if "COUNT(" not in q)
    assert "LIMIT 10" in listed_query and '"data"' not in listed_query  # the steps' JSON is not loaded
    content = response.content
    assert _listed(content, drafts) == [d.pk for d in drafts[:10]]  # the most recent first
    assert "Utkast 1–10 av dina 57 utkast".encode() in content
    assert b'href="?sida=2"' in content and b"Sida 1 av 6" in content


def test_the_rest_is_reached_page_by_page(client):
    user = ApplicantFactory()
    drafts = _drafts(user, 23)
    client.force_login(user)
    url = reverse("applications:choose_service")
    second = client.get(url, {"sida": 2}).content
    assert _listed(second, drafts) == [d.pk for d in drafts[10:20]]
    assert b'href="?sida=1"' in second and b'href="?sida=3"' in second
    last = client.get(url, {"sida": 3}).content
    assert _listed(last, drafts) == [d.pk for d in drafts[20:]]
    assert b'href="?sida=4"' not in last
    # a page number out of range or not a number gives a page, not an error
    assert _listed(client.get(url, {"sida": 99}).content, drafts) == [d.pk for d in drafts[20:]]
    assert _listed(client.get(url, {"sida": "x"}).content, drafts) == [d.pk for d in drafts[:10]]


def test_a_few_drafts_are_listed_without_pages(client):
    user = ApplicantFactory()
    drafts = _drafts(user, 3)
    client.force_login(user)
    content = client.get(reverse("applications:choose_service")).content
    assert _listed(content, drafts) == [d.pk for d in drafts]
    assert b"sida=" not in content


def test_my_cases_counts_the_drafts_without_loading_them(client):
    user = ApplicantFactory()
    _drafts(user, 12)
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("applications:my_cases"))
    queries = _draft_queries(captured.captured_queries)
    assert len(queries) == 1 and "COUNT(" in queries[0]
    assert "Du har 12 utkast som inte är inskickade.".encode() in response.content
