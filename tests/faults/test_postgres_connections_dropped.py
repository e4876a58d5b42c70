"""Postgres drops every connection (pg_terminate_backend): requests fail cleanly, if at all, then
recover without a restart (the pool checks connections before use)."""

import json
import urllib.error
import urllib.request

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True)]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - http://127.0.0.1 only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_requests_recover_after_connections_are_terminated(live_server):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    url = live_server.url + "/halsa/"
    assert get(url)[0] == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        terminated = cursor.fetchone()[0]
    assert terminated >= 1  # the live server's pooled connection(s)
    statuses = []
    for _ in range(3):
        status, body = get(url)
        statuses.append(status)
        assert "Traceback" not in body
        if status == 200:
            assert json.loads(body)["checks"]["database"] == "ok"
            break
    assert statuses[-1] == 200, statuses
