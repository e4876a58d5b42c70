"""The accessibility statement has a form to report problems (DOS-lagen); reports reach the case
officers' admin."""

import pytest

from omstallning.accounts.roles import Role
from omstallning.core.models import AccessibilityReport

pytestmark = pytest.mark.django_db


def test_a_report_is_stored_and_thanked_for(client):
    response = client.post(
        "/tillganglighet/",
        {"page": "/ansok/", "description": "Felsammanfattningen läses upp två gånger.", "contact": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "Tack! Din rapport har kommit in" in response.content.decode()
    report = AccessibilityReport.objects.get()
    assert report.page == "/ansok/"
    assert report.language == "sv"
    assert not report.handled


def test_an_empty_report_gets_an_error_naming_the_field_and_nothing_is_stored(client):
    response = client.post("/tillganglighet/", {"page": "", "description": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Det finns ett problem" in html
    assert "Beskriv problemet du har hittat" in html
    assert not AccessibilityReport.objects.exists()


def test_case_officers_see_the_reports_in_the_admin(client, user_factory):
    AccessibilityReport.objects.create(page="/kan-jag-fa-stod/", description="Kontrasten är för låg.")
    client.force_login(user_factory(role=Role.CASE_OFFICER))
    response = client.get("/admin/core/accessibilityreport/")
    assert response.status_code == 200
    assert "/kan-jag-fa-stod/" in response.content.decode()
    client.force_login(user_factory(role=Role.APPLICANT))
    assert client.get("/admin/core/accessibilityreport/").status_code == 302
