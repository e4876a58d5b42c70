"""Every demo user from seed_demo can log in and out; each role lands on its own page."""

import pytest
from django.core.management import call_command

from omstallning.core.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users():
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize(("username", "role"), [(u[0], u[3]) for u in DEMO_USERS])
def test_demo_user_logs_in_and_out(client, demo_users, username, role):
    response = client.post("/konto/logga-in/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/mina-sidor/"
    page = client.get("/mina-sidor/")
    assert page.status_code == 200
    assert page.context["user"].username == username
    assert page.context["user"].has_role(role)
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302
    assert client.get("/mina-sidor/").status_code == 302  # back to the log-in page


def test_wrong_password_is_refused_with_a_message_in_swedish(client, demo_users):
    response = client.post("/konto/logga-in/", {"username": "sara.sokande", "password": "fel"})
    assert response.status_code == 200
    assert "Användarnamnet eller lösenordet är fel" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_case_officer_reaches_the_admin_and_an_applicant_does_not(client, demo_users):
    client.post("/konto/logga-in/", {"username": "hanna.handlaggare", "password": DEMO_PASSWORD})
    assert client.get("/admin/").status_code == 200
    client.post("/konto/logga-ut/")
    client.post("/konto/logga-in/", {"username": "sara.sokande", "password": DEMO_PASSWORD})
    assert client.get("/admin/").status_code == 302


def test_seed_demo_is_idempotent(demo_users):
    from django.contrib.auth import get_user_model

    from registry.models import Organisation, OrganisationMember

    counts = (get_user_model().objects.count(), Organisation.objects.count(), OrganisationMember.objects.count())
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        get_user_model().objects.count(),
        Organisation.objects.count(),
        OrganisationMember.objects.count(),
    )
    demo = Organisation.objects.get(org_number="802000-0009")
    assert demo.name == "Demo Omställningsorganisation"
    assert demo.members.get().user.username == "olof.rapportor"
    for name in ["TRR Trygghetsrådet", "Trygghetsfonden TSL", "CIKO", "Omstella", "Omställningsfonden"]:
        assert Organisation.objects.get(name=name).is_demo
