"""Granted applications without an advisor assignment: the sweep's list (ids, oldest grant first,
at most ``limit``) and the compliance page's count (one COUNT query, not a list of ids), on the
partial index ``adv_app_granted_idx`` (advisors migration 0002)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from advisors import selectors
from advisors.models import Assignment
from applications.models import Application
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import ApplicationFactory

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def grant(minutes: int, **kwargs):
    return ApplicationFactory(granted_at=T0 + timedelta(minutes=minutes), **kwargs)


def assign(application, advisor):
    return Assignment.objects.create(
        application=application,
        supplier=advisor.supplier,
        advisor=advisor,
        service=application.service,
        granted_at=application.granted_at,
        contact_deadline=application.granted_at + timedelta(days=7),
        support_ends_on=(application.granted_at + timedelta(days=365)).date(),
    )


@pytest.fixture
def mixed(advisor):
    """Unassigned grants at minutes 30, 10, 20 (created out of order), an assigned grant at 5, and
    applications in every other status (a closed one that was granted and assigned, too)."""
    unassigned = [grant(30), grant(10), grant(20)]
    assign(grant(5), advisor)
    for status in ("submitted", "needs_completion", "refused"):
        ApplicationFactory(status=status, granted_at=None)
    closed = ApplicationFactory(status="closed", granted_at=T0)
    assign(closed, advisor)
    ApplicationFactory(status="closed", granted_at=T0 + timedelta(minutes=1))  # closed, never assigned
    return sorted(unassigned, key=lambda a: a.granted_at)


def test_only_granted_applications_without_an_assignment(mixed):
    assert selectors.granted_without_assignment_ids() == [a.pk for a in mixed]


def test_oldest_grant_first_and_ties_by_id(advisor):
    later = grant(60)
    tie = [grant(0), grant(0), grant(0)]
    # an update writes a new row version at the end of the table: the table order is no longer
    # the id order, so only an explicit tie-break on the id keeps the list stable
    Application.objects.filter(pk=tie[0].pk).update(municipality="Solna")
    expected = sorted(a.pk for a in tie) + [later.pk]
    assert selectors.granted_without_assignment_ids() == expected  # the index holds (granted_at, id)
    with connection.cursor() as cursor:  # and the same without the index: table order, then a sort
        for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        assert selectors.granted_without_assignment_ids() == expected
        for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
            cursor.execute(f"RESET {setting}")


def test_limit(mixed):
    assert selectors.granted_without_assignment_ids(limit=2) == [a.pk for a in mixed[:2]]
    assert selectors.granted_without_assignment_ids(limit=0) == []


def test_an_assignment_removes_the_application_from_the_list_and_the_count(mixed, advisor):
    assert selectors.granted_without_assignment_count() == 3
    assign(mixed[0], advisor)
    assert selectors.granted_without_assignment_ids() == [a.pk for a in mixed[1:]]
    assert selectors.granted_without_assignment_count() == 2


def test_count_is_not_limited_by_a_batch_size(advisor):
    for minute in range(7):
        grant(minute)
    assert selectors.granted_without_assignment_count() == 7
    assert len(selectors.granted_without_assignment_ids(limit=5)) == 5


def test_the_ids_are_one_query_and_the_count_is_one_count_query(mixed, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        selectors.granted_without_assignment_ids(limit=200)
    assert "NOT (EXISTS(" in captured.captured_queries[0]["sql"]
    with django_assert_num_queries(1) as captured:
        assert selectors.granted_without_assignment_count() == 3
    sql = captured.captured_queries[0]["sql"]
    assert sql.startswith("SELECT COUNT(*)")
    assert "LIMIT" not in sql.split("EXISTS(", 1)[0]  # no ids fetched to be counted in Python


def test_compliance_report_counts_without_fetching_ids(mixed, monkeypatch, django_assert_max_num_queries):
    def no_ids(**kwargs):
        raise AssertionError("the report must not list ids to count them")

    monkeypatch.setattr(selectors, "granted_without_assignment_ids", no_ids)
    with django_assert_max_num_queries(3):  # assignments, the count, the number of suppliers
        report = selectors.compliance_report(now=T0 + timedelta(days=30))
    assert report["unassigned"] == 3


def test_compliance_page_shows_the_count(client, mixed):
    client.force_login(UserFactory(role=Role.CASE_OFFICER))
    response = client.get(reverse("advisors:compliance"))
    assert response.status_code == 200
    assert "3 beviljade ärenden har ingen rådgivare än." in response.content.decode()


def test_compliance_page_queries_do_not_grow_with_unassigned_grants(client, mixed, django_assert_max_num_queries):
    user = UserFactory(role=Role.CASE_OFFICER)
    client.force_login(user)
    client.get(reverse("advisors:compliance"))  # warm up (session, permissions)
    for minute in range(100, 120):
        grant(minute)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("advisors:compliance"))
    assert "23 beviljade ärenden har ingen rådgivare än." in response.content.decode()


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        # A test table has a handful of rows, where a sequential scan is always cheapest; switched
        # off, the planner shows which index it would use on a large table.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return plan


def test_the_queries_use_the_indexes(mixed):
    """The sweep's query walks the partial index in granted_at order (no sort) and probes the
    assignment's unique index; the count is the same anti-join, no list of ids."""
    ids_sql, ids_params = (
        selectors._granted_without_assignment()
        .order_by("granted_at", "id")
        .values_list("id", flat=True)[:200]
        .query.sql_with_params()
    )
    plan = _plan(ids_sql, ids_params)
    assert "adv_app_granted_idx" in plan, plan
    assert "advisors_assignment_application_id_key" in plan, plan
    count_sql, count_params = selectors._granted_without_assignment().order_by().values("pk").query.sql_with_params()
    plan = _plan(f"SELECT count(*) FROM ({count_sql}) AS q", count_params)
    # With a handful of rows the planner may as well take app_queue_idx (status first) for the
    # count; at 1,000,000 rows it takes adv_app_granted_idx (bench/advisors_unassigned.py checks).
    assert "Anti Join" in plan and "advisors_assignment_application_id_key" in plan, plan


def test_the_index_holds_only_granted_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'adv_app_granted_idx'")
        (definition,) = cursor.fetchone()
    assert "(granted_at, id)" in definition
    assert "WHERE ((status)::text = 'granted'::text)" in definition
