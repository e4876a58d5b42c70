import pytest
from django.core.management import call_command

from omstallning.accounts.roles import Role
from statistics import demo
from statistics.models import StatRow, Submission
from tests.factories import UserFactory


@pytest.mark.django_db
def test_seed_demo_gives_the_dashboard_real_figures(client, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_REPORTERS", [(n, pool // 10, per // 10) for n, pool, per in demo.DEMO_REPORTERS])
    call_command("seed_demo")
    accepted = Submission.objects.filter(status="accepted")
    assert accepted.count() == len(demo.DEMO_REPORTERS) * demo.MONTHS - 1
    rows = StatRow.objects.count()
    call_command("seed_demo")  # idempotent
    assert StatRow.objects.count() == rows
    client.force_login(UserFactory(role=Role.ANALYST))
    table = client.get("/statistik/oversikt/").context["table"]
    assert any(not r["suppressed"] and r["persons"] >= 5 for r in table)
    assert client.get("/statistik/oversikt/saknade-rapporter/").context["missing"]
