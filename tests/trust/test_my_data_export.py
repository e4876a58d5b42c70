"""GDPR article 15: an applicant downloads everything held about them as one JSON file."""

import json

import pytest

from omstallning.accounts.roles import Role
from omstallning.core import services
from omstallning.core.models import AccessLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/mina-sidor/mina-uppgifter/"


def test_the_applicant_gets_account_data_and_every_registered_section(client, monkeypatch):
    monkeypatch.setattr(services, "_exporters", {})

    @services.register_personal_data_exporter("notes")
    def notes(user):
        return [{"owner": user.username, "text": "a note"}]

    applicant = UserFactory(username="sara", role=Role.APPLICANT, first_name="Sara", personnummer="191212121212")
    client.force_login(applicant)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["personnummer"] == "191212121212"
    assert data["account"]["first_name"] == "Sara"
    assert data["account"]["roles"] == ["applicant"]
    assert data["notes"] == [{"owner": "sara", "text": "a note"}]
    assert response["Cache-Control"].startswith("max-age=0")
    assert AccessLog.objects.filter(action="export", object_id=str(applicant.pk)).exists()


def test_only_ones_own_data_and_only_when_logged_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    a = UserFactory(username="a1", role=Role.APPLICANT, personnummer="191212121212")
    UserFactory(username="b1", role=Role.APPLICANT, personnummer="199001012384")
    client.force_login(a)
    body = client.get(URL, {"user": "b1"}).content.decode()
    assert "199001012384" not in body
    assert "b1" not in json.loads(body)["account"]["username"]
