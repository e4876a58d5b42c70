"""Hitta omställningsorganisation: the selector, the public page and the JSON endpoint."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.selectors import organisation_for_employer

from .factories import EMPLOYER_A, EMPLOYER_B, AffiliationFactory, registered_organisation

D = datetime.date


@pytest.fixture
def affiliated(db):
    org = registered_organisation("Trygghetsrådet Test", registered_from=D(2022, 12, 31))
    AffiliationFactory(
        organisation=org, employer_org_number=EMPLOYER_A, valid_from=D(2023, 3, 1), valid_to=D(2024, 2, 29)
    )
    return org


@pytest.mark.parametrize(
    ("on_date", "expected"),
    [(D(2023, 2, 28), False), (D(2023, 3, 1), True), (D(2024, 2, 29), True), (D(2024, 3, 1), False)],
)
def test_before_inside_and_after_an_affiliation(affiliated, on_date, expected):
    found = organisation_for_employer(org_number=EMPLOYER_A, on_date=on_date)
    assert (found == affiliated) is expected
    if not expected:
        assert found is None


def test_accepts_the_number_without_hyphen_and_uses_one_query(affiliated):
    with CaptureQueriesContext(connection) as ctx:
        found = organisation_for_employer(org_number=EMPLOYER_A.replace("-", ""), on_date=D(2023, 6, 1))
        assert found.name == "Trygghetsrådet Test"
    assert len(ctx.captured_queries) == 1


def test_unaffiliated_employer_is_the_public_organisation(affiliated):
    assert organisation_for_employer(org_number=EMPLOYER_B, on_date=D(2023, 6, 1)) is None


def test_deregistered_organisation_no_longer_answers(db):
    org = registered_organisation("Borta", registered_from=D(2022, 12, 31), deregistered_on=D(2024, 1, 1))
    AffiliationFactory(organisation=org, employer_org_number=EMPLOYER_A, valid_from=D(2023, 1, 1))
    assert organisation_for_employer(org_number=EMPLOYER_A, on_date=D(2023, 12, 31)) == org
    assert organisation_for_employer(org_number=EMPLOYER_A, on_date=D(2024, 1, 1)) is None


def test_invalid_number_raises_value_error(db):
    with pytest.raises(ValueError):
        organisation_for_employer(org_number="556036-0794", on_date=D(2023, 1, 1))


def test_public_page_answers_and_links_to_the_organisation(client, affiliated):
    url = reverse("registry:lookup")
    assert url == "/hitta-omstallningsorganisation/"
    response = client.post(url, {"orgnr": EMPLOYER_A, "date": "2023-06-01"})
    assert response.status_code == 200
    assert reverse("registry:organisation", args=[affiliated.pk]).encode() in response.content
    assert "Trygghetsrådet Test".encode() in response.content
    public = client.post(url, {"orgnr": EMPLOYER_A, "date": "2025-01-01"})
    assert reverse("registry:organisation", args=[affiliated.pk]).encode() not in public.content
    assert b'data-testid="lookup-result"' in public.content


def test_public_page_reports_a_bad_number_on_the_field(client, db):
    response = client.post(reverse("registry:lookup"), {"orgnr": "123", "date": "2023-06-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["orgnr"]
    assert b"data-error-summary" in response.content


def test_json_endpoint(client, affiliated):
    inside = client.get("/api/registry/v1/lookup", {"orgnr": EMPLOYER_A, "date": "2023-06-01"}).json()
    assert inside["public_organisation"] is False
    assert inside["organisation"]["name"] == "Trygghetsrådet Test"
    after = client.get("/api/registry/v1/lookup", {"orgnr": EMPLOYER_A, "date": "2024-03-01"}).json()
    assert after == {"orgnr": EMPLOYER_A, "date": "2024-03-01", "public_organisation": True, "organisation": None}
    bad = client.get("/api/registry/v1/lookup", {"orgnr": "556036-0794"})
    assert bad.status_code == 400 and "orgnr" in bad.json()


def test_public_register_lists_registered_organisations(client, db):
    registered_organisation("Registrerad", registered_from=D(2022, 12, 31))
    registered_organisation("Avregistrerad", registered_from=D(2022, 12, 31), deregistered_on=D(2023, 6, 1))
    response = client.get("/omstallningsorganisationer/")
    assert b"Registrerad" in response.content
    assert b"Avregistrerad" not in response.content
    assert b"2022-12-31" in response.content


def test_json_endpoint_also_takes_a_post_body(client, affiliated):
    body = {"orgnr": EMPLOYER_A, "date": "2023-06-01"}
    response = client.post("/api/registry/v1/lookup", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["organisation"]["id"] == affiliated.pk


@pytest.mark.parametrize("on_date", [D(2023, 2, 28), D(2023, 3, 1), D(2024, 2, 29), D(2024, 3, 1)])
def test_fixed_sql_agrees_with_the_orm_query(affiliated, on_date):
    from registry.selectors import employer_affiliation_query

    orm = employer_affiliation_query(EMPLOYER_A, on_date).first()
    assert organisation_for_employer(org_number=EMPLOYER_A, on_date=on_date) == (orm.organisation if orm else None)
