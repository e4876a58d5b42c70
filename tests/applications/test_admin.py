"""The case officers' admin: queue, filters, search, no N+1, workflow buttons, health details."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import admin as app_admin
from applications import services
from applications.models import Application, HealthDetails, Service, Status
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import PERSONNUMMER, ApplicantFactory, complete_data, employment_data, officer, submitted_application

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:applications_application_changelist"


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def test_changelist_has_no_n_plus_one_and_at_most_one_count(client):
    case_officer = officer()
    client.force_login(case_officer)
    for _ in range(3):
        submitted_application()
    _, few = _queries(client, reverse(CHANGELIST))
    for _ in range(12):
        submitted_application()
    response, many = _queries(client, reverse(CHANGELIST))
    assert len(many) == len(few)
    assert sum("COUNT(" in q.upper() for q in many) <= 1
    assert Application.objects.first().reference in response.content.decode()


def test_estimated_paginator_reads_reltuples_for_unfiltered_lists():
    if connection.vendor != "postgresql":
        pytest.skip("reltuples is Postgres")
    for _ in range(3):
        submitted_application()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE applications_application")
    paginator = app_admin.EstimatedCountPaginator(Application.objects.all(), 50)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 3
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    filtered = app_admin.EstimatedCountPaginator(Application.objects.filter(status=Status.GRANTED), 50)
    assert filtered.count == 0  # a small estimate is counted exactly


def test_large_filtered_lists_use_the_planner_estimate(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN estimates are Postgres")
    for _ in range(3):
        submitted_application()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE applications_application")
    monkeypatch.setattr(app_admin.EstimatedCountPaginator, "EXACT_BELOW", 0)
    paginator = app_admin.EstimatedCountPaginator(Application.objects.filter(status=Status.SUBMITTED), 50)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count >= 1
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_filters(client):
    client.force_login(officer())
    app = submitted_application()
    vag = submitted_application(
        service=Service.VAGLEDNING,
        data=complete_data(
            Service.VAGLEDNING, employment=employment_data(situation="anstalld", employment_end_date=None)
        ),
    )
    url = reverse(CHANGELIST)
    content = client.get(url, {"service": "vagledning"}).content.decode()
    assert vag.reference in content and app.reference not in content
    content = client.get(url, {"priority": "1"}).content.decode()
    assert app.reference in content and vag.reference not in content
    content = client.get(url, {"status": "submitted", "age": "7"}).content.decode()
    assert app.reference in content
    content = client.get(url, {"age": "old"}).content.decode()
    assert app.reference not in content


def test_search_by_reference_and_exact_personnummer_is_logged_without_the_number(client):
    client.force_login(officer())
    sara = ApplicantFactory(personnummer=PERSONNUMMER)
    mine = submitted_application(applicant=sara)
    other = submitted_application()
    url = reverse(CHANGELIST)
    with mock.patch.object(app_admin, "logger") as log:
        content = client.get(url, {"q": "19800510-0006"}).content.decode()
    assert mine.reference in content and other.reference not in content
    logged = " ".join(str(c) for c in log.info.call_args_list)
    assert "personnummer" in logged
    assert "0006" not in logged and "800510" not in logged
    content = client.get(url, {"q": other.reference}).content.decode()
    assert other.reference in content and mine.reference not in content
    # partial personnummer does not match
    content = client.get(url, {"q": "800510"}).content.decode()
    assert mine.reference not in content


def test_change_view_shows_snapshot_evaluation_history(client):
    case_officer = officer()
    client.force_login(case_officer)
    app = submitted_application()
    content = client.get(reverse("admin:applications_application_change", args=[app.pk])).content.decode()
    assert "Uppsala" in content
    assert "R-1.17" in content
    assert "case-event" in content
    assert "transition-grant" in content


def test_grant_button_calls_the_service(client, monkeypatch):
    monkeypatch.setattr(services, "_enqueue_advisor_assignment", lambda pk: None)
    client.force_login(officer())
    app = submitted_application()
    url = reverse("admin:applications_application_transition", args=[app.pk, "grant"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": app.version, "service": "forstarkt_stod", "reason": ""})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.GRANTED and app.granted_service == "forstarkt_stod"


def test_stale_form_tells_the_second_officer(client, monkeypatch):
    monkeypatch.setattr(services, "_enqueue_advisor_assignment", lambda pk: None)
    app = submitted_application()
    services.application_grant(application_id=app.pk, by=officer())
    client.force_login(officer())
    url = reverse("admin:applications_application_transition", args=[app.pk, "refuse"])
    response = client.post(url, {"version": app.version, "reason": "Nej", "failed_rules": ""}, follow=True)
    assert "changed this case" in response.content.decode() or "ändrade" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.GRANTED


def test_refuse_form_prefills_failed_rules_and_requires_reason(client):
    client.force_login(officer())
    app = submitted_application(data=complete_data(employment=employment_data(kollektivavtal="yes")))
    url = reverse("admin:applications_application_transition", args=[app.pk, "refuse"])
    assert 'value="R-1.13"' in client.get(url).content.decode()
    response = client.post(url, {"version": app.version, "reason": "", "failed_rules": "R-1.13"})
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_health_details_only_for_the_officer_with_the_case(client):
    data = complete_data(Service.FORSTARKT_STOD)
    app = submitted_application(service=Service.FORSTARKT_STOD, data=data)
    HealthDetails.objects.create(application=app, special_needs=True, description="Hemlig beskrivning")
    url = reverse("admin:applications_application_change", args=[app.pk])
    first, second = officer(), officer()
    client.force_login(first)
    assert "Hemlig beskrivning" not in client.get(url).content.decode()
    client.post(reverse("admin:applications_application_take", args=[app.pk]))
    assert "Hemlig beskrivning" in client.get(url).content.decode()
    client.force_login(second)
    assert "Hemlig beskrivning" not in client.get(url).content.decode()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ADVISOR, Role.ANALYST])
def test_other_roles_cannot_open_the_queue(client, role):
    user = UserFactory(role=role)
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get(reverse(CHANGELIST)).status_code in (302, 403)


def test_officer_sends_a_message_the_applicant_reads_it(client):
    app = submitted_application()
    client.force_login(officer())
    url = reverse("admin:applications_application_message", args=[app.pk])
    assert client.post(url, {"body": "Vi har börjat handlägga din ansökan."}).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    client.force_login(app.applicant)
    page = client.get(reverse("applications:case", args=[app.pk])).content.decode()
    assert "Vi har börjat handlägga din ansökan." in page
