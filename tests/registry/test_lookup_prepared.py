"""The lean lookup path: a statement prepared once per database session and executed by name on
the psycopg connection, answering an OrganisationRef. It must agree with the logged path (Django's
cursor, used when queries are recorded) and with the ORM query, and survive a session reset."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from registry import selectors
from registry.selectors import OrganisationRef, organisation_for_employer

from .factories import EMPLOYER_A, EMPLOYER_B, AffiliationFactory, registered_organisation

pytestmark = pytest.mark.django_db
D = datetime.date
DATES = [D(2023, 2, 28), D(2023, 3, 1), D(2024, 2, 29), D(2024, 3, 1), D(2026, 1, 1)]


@pytest.fixture
def affiliated():
    org = registered_organisation("Trygghetsrådet Test", registered_from=D(2022, 12, 31))
    org.org_number = "802000-0009"
    org.website = "https://trs.example"
    org.save()
    AffiliationFactory(
        organisation=org, employer_org_number=EMPLOYER_A, valid_from=D(2023, 3, 1), valid_to=D(2024, 2, 29)
    )
    return org


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name = %s", [selectors.LOOKUP_STATEMENT])
        return cursor.fetchall()


def test_the_answer_is_a_small_object_that_behaves_like_the_organisation(affiliated):
    found = organisation_for_employer(org_number=EMPLOYER_A, on_date=D(2023, 6, 1))
    assert isinstance(found, OrganisationRef)
    assert (found.pk, found.id, found.name, found.org_number, found.website) == (
        affiliated.pk,
        affiliated.pk,
        "Trygghetsrådet Test",
        "802000-0009",
        "https://trs.example",
    )
    assert found == affiliated and affiliated == found and str(found) == "Trygghetsrådet Test"
    assert hash(found) == hash(OrganisationRef(affiliated.pk, "x", None, ""))
    assert found != OrganisationRef(affiliated.pk + 1, "Trygghetsrådet Test", None, "")
    assert found != "Trygghetsrådet Test"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the prepared statement is Postgres only")
@pytest.mark.parametrize("on_date", DATES)
def test_the_prepared_path_agrees_with_the_logged_path_and_the_orm(affiliated, on_date):
    assert not connection.queries_logged
    fast = organisation_for_employer(org_number=EMPLOYER_A, on_date=on_date)
    assert prepared_statements()  # the fast path ran
    with CaptureQueriesContext(connection) as ctx:
        logged = organisation_for_employer(org_number=EMPLOYER_A, on_date=on_date)
    assert len(ctx.captured_queries) == 1 and "registry_employeraffiliation" in ctx.captured_queries[0]["sql"]
    orm = selectors.employer_affiliation_query(EMPLOYER_A, on_date).first()
    assert fast == logged == (orm.organisation if orm else None)
    assert organisation_for_employer(org_number=EMPLOYER_B, on_date=on_date) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the prepared statement is Postgres only")
def test_the_statement_is_prepared_once_per_session_and_again_after_a_reset(affiliated):
    selectors._prepared_on.clear()
    for on_date in DATES:
        organisation_for_employer(org_number=EMPLOYER_A, on_date=on_date)
    assert len(prepared_statements()) == 1
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a session reset does
    # inside the test's transaction the reset is noticed on the first call of a session that is
    # not marked: here the marker is still set, so the EXECUTE fails inside a transaction and
    # the error is Django's (the transaction is not silently continued)
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        organisation_for_employer(org_number=EMPLOYER_A, on_date=D(2023, 6, 1))
    # a new marker check prepares it again
    selectors._prepared_on.clear()
    assert organisation_for_employer(org_number=EMPLOYER_A, on_date=D(2023, 6, 1)) == affiliated
    assert len(prepared_statements()) == 1


def test_an_invalid_number_raises_value_error(affiliated):
    for bad in ("556036-0794", "abc", "", "5560360794"):
        with pytest.raises(ValueError):
            organisation_for_employer(org_number=bad, on_date=D(2023, 6, 1))
