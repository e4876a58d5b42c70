"""A transition reads the case once (the locking read) and writes only what it changes: no second
SELECT of the snapshot to check that it is unchanged. The snapshot stays immutable."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import services
from applications.models import Application, CaseEvent, Status

from .factories import officer, submitted_application

pytestmark = pytest.mark.django_db

TABLE = '"applications_application"'


def _case_statements(captured):
    """The statements on the case table itself (not its history table, events or decisions)."""
    return [q["sql"] for q in captured if f"FROM {TABLE}" in q["sql"] or f"UPDATE {TABLE}" in q["sql"]]


@pytest.mark.parametrize(
    "decide",
    [
        lambda app, by: services.application_close(application_id=app.pk, reason="Klart.", by=by),
        lambda app, by: services.application_refuse(application_id=app.pk, reason="Nej.", by=by),
        lambda app, by: services.application_request_completion(application_id=app.pk, message="Mer.", by=by),
    ],
    ids=["close", "refuse", "request_completion"],
)
def test_a_transition_reads_the_case_once_and_does_not_write_the_snapshot(decide):
    app = submitted_application()
    by = officer()
    with CaptureQueriesContext(connection) as captured:
        decide(app, by)
    statements = _case_statements(captured.captured_queries)
    assert len(statements) == 2, statements
    read, update = statements
    assert read.startswith("SELECT") and read.endswith("FOR NO KEY UPDATE")
    assert update.startswith(f"UPDATE {TABLE}")
    for column in ('"snapshot"', '"eligibility_result"', '"reference"', '"source_token"'):
        assert column not in update.split(" WHERE ")[0]
    app.refresh_from_db()
    assert app.version == 2 and app.case_officer == by
    assert app.history.latest().status == app.status  # the history row is still written


def test_grant_writes_the_changed_columns():
    app = submitted_application()
    by = officer()
    snapshot = app.snapshot
    services.application_grant(application_id=app.pk, by=by)
    app.refresh_from_db()
    assert (app.status, app.granted_service, app.version) == (Status.GRANTED, app.service, 2)
    assert app.granted_at is not None and app.decided_at == app.granted_at and app.case_officer == by
    assert app.snapshot == snapshot
    event = CaseEvent.objects.get(application=app, action="grant")
    assert (event.from_status, event.to_status, event.actor) == (Status.SUBMITTED, Status.GRANTED, by)


def test_take_reads_the_case_once():
    app = submitted_application()
    by = officer()
    with CaptureQueriesContext(connection) as captured:
        services.application_take(application_id=app.pk, by=by)
    statements = _case_statements(captured.captured_queries)
    assert len(statements) == 2, statements
    assert statements[0].endswith("FOR NO KEY UPDATE")
    assert '"snapshot"' not in statements[1]


def test_the_snapshot_is_still_immutable():
    app = submitted_application()
    app.snapshot = {**app.snapshot, "service": "vagledning"}
    with pytest.raises(ValidationError):
        app.save()
    with pytest.raises(ValidationError):
        app.save(update_fields=["snapshot", "status"])
    # a save that does not write the snapshot cannot change it: no check, no extra SELECT
    app.status = Status.CLOSED
    with CaptureQueriesContext(connection) as captured:
        app.save(update_fields=["status"])
    assert [q["sql"] for q in captured.captured_queries if f"FROM {TABLE}" in q["sql"]] == []
    stored = Application.objects.get(pk=app.pk)
    assert stored.status == Status.CLOSED and stored.snapshot["service"] != "vagledning"


def test_an_instance_without_its_snapshot_saves_without_the_check():
    app = submitted_application()
    partial = Application.objects.defer("snapshot").get(pk=app.pk)
    partial.municipality = "Enköping"
    with CaptureQueriesContext(connection) as captured:
        partial.save()
    statements = _case_statements(captured.captured_queries)
    assert len(statements) == 1 and '"snapshot"' not in statements[0], statements
    snapshot = app.snapshot
    app.refresh_from_db()
    assert app.municipality == "Enköping" and app.snapshot == snapshot
