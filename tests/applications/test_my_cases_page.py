"""Mina ärenden lists the 20 most recently submitted applications, says how many there are and
pages through the rest (?sida=N): one query for the page and one COUNT, however many there are."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Application, Service, Status

from .factories import ApplicantFactory

pytestmark = pytest.mark.django_db


def _applications(user, n, *, prefix="T"):
    start = timezone.now() - datetime.timedelta(days=50)
    Application.objects.bulk_create(
        Application(
            applicant=user,
            reference=f"{prefix}-{i:06d}",
            source_token=uuid.uuid4(),
            service=Service.VAGLEDNING if i % 2 else Service.RADGIVNING,
            status=Status.CLOSED if i % 3 == 0 else Status.SUBMITTED,
            submitted_at=start + datetime.timedelta(hours=i),
        )
        for i in range(n)
    )
    return list(Application.objects.filter(applicant=user).order_by("-submitted_at"))


def _application_queries(captured):
    return [q["sql"] for q in captured if 'FROM "applications_application"' in q["sql"]]


def _listed(content, applications):
    return [a.reference for a in applications if f">{a.reference}</a>".encode() in content]


def _get(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("applications:my_cases"), params)
    assert response.status_code == 200
    return response, captured.captured_queries


def test_the_page_is_bounded_with_a_count_and_two_queries(client):
    user = ApplicantFactory()
    applications = _applications(user, 47)
    _applications(ApplicantFactory(), 3, prefix="X")  # another person's are neither listed nor counted
    client.force_login(user)
    response, captured = _get(client)
    queries = _application_queries(captured)
    assert len(queries) == 2, queries
    assert sum("COUNT(" in q for q in queries) == 1
    listed_query = next(q for q in queries if "COUNT(" not in q)
    assert "LIMIT 20" in listed_query
    assert '"snapshot"' not in listed_query and '"eligibility_result"' not in listed_query
    content = response.content
    assert _listed(content, applications) == [a.reference for a in applications[:20]]  # the most recent first
    assert b"X-0000" not in content
    assert "Ansökningar 1–20 av dina 47 ansökningar".encode() in content
    assert b'href="?sida=2"' in content and b"Sida 1 av 3" in content
    # what the page shows per application is kept: link, service, date, status
    newest = applications[0]
    assert reverse("applications:case", args=[newest.pk]).encode() in content
    assert newest.get_service_display().encode() in content
    assert newest.submitted_at.strftime("%Y-%m-%d").encode() in content
    with translation.override("sv"):
        statuses = {str(Status.CLOSED.label), str(Status.SUBMITTED.label)}
    assert all(f"<td>{label}</td>".encode() in content for label in statuses)


def test_the_number_of_queries_does_not_grow_with_the_applications(client):
    few, many = ApplicantFactory(), ApplicantFactory()
    _applications(few, 2, prefix="F")
    _applications(many, 120, prefix="M")
    client.force_login(few)
    _response, captured_few = _get(client)
    client.force_login(many)
    _response, captured_many = _get(client)
    assert len(captured_many) == len(captured_few)
    assert len(_application_queries(captured_many)) == 2


def test_the_rest_is_reached_page_by_page(client):
    user = ApplicantFactory()
    applications = _applications(user, 45)
    client.force_login(user)
    second = _get(client, sida=2)[0].content
    assert _listed(second, applications) == [a.reference for a in applications[20:40]]
    assert b'href="?sida=1"' in second and b'href="?sida=3"' in second
    last = _get(client, sida=3)[0].content
    assert _listed(last, applications) == [a.reference for a in applications[40:]]
    assert b'href="?sida=4"' not in last
    assert "Ansökningar 41–45 av dina 45 ansökningar".encode() in last
    # a page number out of range or not a number gives a page, not an error
    assert _listed(_get(client, sida=99)[0].content, applications) == [a.reference for a in applications[40:]]
    assert _listed(_get(client, sida="x")[0].content, applications) == [a.reference for a in applications[:20]]


def test_a_few_applications_are_listed_without_pages(client):
    user = ApplicantFactory()
    applications = _applications(user, 3)
    client.force_login(user)
    content = _get(client)[0].content
    assert _listed(content, applications) == [a.reference for a in applications]
    assert b"sida=" not in content


def test_no_applications(client):
    client.force_login(ApplicantFactory())
    content = _get(client)[0].content
    assert "Du har inga inskickade ansökningar.".encode() in content
