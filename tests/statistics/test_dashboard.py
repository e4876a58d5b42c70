"""The analysts' dashboard: real figures, filters, suppression under 5, missing reports and
reminders, the pseudonymised export and its data dictionary; analysts only."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from omstallning.accounts.roles import Role
from statistics import services
from statistics.models import Reminder
from tests.factories import UserFactory

from .factories import PERIOD, MemberFactory, OrganisationFactory, csv_text, good_rows, write

BASE = {
    "period": "2026-03",
    "service": "radgivning",
    "trigger": "arbetsbrist",
    "application_date": "2026-03-02",
    "decision": "beviljad",
    "decision_date": "2026-03-04",
    "first_contact_date": "2026-03-08",
    "outcome": "pagaende",
    "outcome_date": "",
    "yttrande_strengthens": "",
}


def import_rows(tmp_path, org, rows, period=PERIOD):
    path = write(tmp_path, csv_text(rows), name=f"{org.pk}-{period}.csv")
    sub = services.submission_create(organisation=org, period=period, file=path, enqueue=False)
    result = services.submission_import(sub.pk).submission
    assert result.status == "accepted", result.errors
    return result


def people(n, seed):
    return [r["personnummer"] for r in good_rows(n, seed=seed)]


@pytest.fixture
def analyst(db, client):
    user = UserFactory(role=Role.ANALYST)
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_figures_per_organisation_and_month(tmp_path, client, analyst):
    org = OrganisationFactory(name="Alfa")
    rows = []
    for i, pnr in enumerate(people(10, seed=3)):
        contact = "2026-03-08" if i < 6 else "2026-03-20"  # 6 of 10 within 7 days of the decision
        decision = "beviljad" if i < 8 else "avslag"
        rows.append(
            {
                **BASE,
                "personnummer": pnr,
                "decision": decision,
                "first_contact_date": contact if decision == "beviljad" else "",
            }
        )
    import_rows(tmp_path, org, rows)
    table = client.get(reverse("statistics:dashboard")).context["table"]
    assert len(table) == 1
    row = table[0]
    assert (row["organisation"], row["persons"], row["applications"], row["decided"]) == ("Alfa", 10, 10, 10)
    assert row["grant_rate"] == 80.0
    assert row["contact_7_share"] == 75.0  # 6 of the 8 granted and contacted
    page = client.get(reverse("statistics:dashboard")).content.decode()
    assert "<svg" in page and "80,0 %" in page


@pytest.mark.django_db
def test_cells_under_five_persons_are_suppressed_and_filters_apply(tmp_path, client, analyst):
    small = OrganisationFactory(name="Liten")
    big = OrganisationFactory(name="Stor")
    import_rows(tmp_path, small, [{**BASE, "personnummer": p} for p in people(4, seed=5)])
    rows = [{**BASE, "personnummer": p} for p in people(12, seed=6)]
    for row in rows[:3]:
        row.update(decision="avslag", first_contact_date="")
    import_rows(tmp_path, big, rows)
    table = {r["organisation"]: r for r in client.get(reverse("statistics:dashboard")).context["table"]}
    assert table["Liten"]["suppressed"] and "persons" not in table["Liten"]
    assert table["Stor"]["persons"] == 12 and table["Stor"]["grant_rate"] == 75.0
    page = client.get(reverse("statistics:dashboard")).content.decode()
    assert "Visas inte: färre än 5 personer" in page
    only_big = client.get(reverse("statistics:dashboard"), {"organisation": big.pk}).context["table"]
    assert [r["organisation"] for r in only_big] == ["Stor"]
    none = client.get(reverse("statistics:dashboard"), {"service": "yttrande"}).context["table"]
    assert none == []
    for band, (low, high) in {"-29": (0, 29), "30-39": (30, 39), "40-49": (40, 49), "50-59": (50, 59)}.items():
        expected = sum(low <= 2026 - int(p[:4]) <= high for p in people(12, seed=6))
        got = {
            r["organisation"]: r
            for r in client.get(reverse("statistics:dashboard"), {"age_band": band}).context["table"]
        }
        if expected == 0:
            assert "Stor" not in got
        elif expected < 5:
            assert got["Stor"]["suppressed"]
        else:
            assert got["Stor"]["persons"] == expected
    females = sum(int(p[-2]) % 2 == 0 for p in people(12, seed=6))
    by_sex = {r["organisation"]: r for r in client.get(reverse("statistics:dashboard"), {"sex": "F"}).context["table"]}
    assert by_sex["Stor"].get("persons", "suppressed" if females < 5 else None) == (
        females if females >= 5 else "suppressed"
    )
    invalid = client.get(reverse("statistics:dashboard"), {"period_from": "mars"})
    assert invalid.status_code == 200 and "ÅÅÅÅ-MM" in invalid.content.decode()


@pytest.mark.django_db
def test_only_analysts(client):
    client.force_login(UserFactory(role=Role.ORGANISATION_REPORTER))
    for name in ("dashboard", "missing", "export", "export-parquet", "data-dictionary"):
        assert client.get(reverse(f"statistics:{name}")).status_code == 404


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 4, 10, 12, tzinfo=datetime.UTC))
def test_missing_reports_and_reminder(tmp_path, client, analyst, django_capture_on_commit_callbacks):
    reported = OrganisationFactory(name="Rapporterat")
    silent = OrganisationFactory(name="Tyst")
    OrganisationFactory(name="Avregistrerad", registered=False)
    MemberFactory(organisation=silent, user=UserFactory(email="rapportor@tyst.example"))
    import_rows(tmp_path, reported, good_rows(5))
    page = client.get(reverse("statistics:missing"))
    assert page.context["period_label"] == "2026-03"
    assert [m["organisation"].name for m in page.context["missing"]] == ["Tyst"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("statistics:remind"), {"organisation": silent.pk, "period": "2026-03"})
    assert response.status_code == 302
    assert Reminder.objects.get().organisation == silent
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rapportor@tyst.example"]
    assert "2026-03" in mail.outbox[0].subject and "Tyst" in mail.outbox[0].body


@pytest.mark.django_db
def test_export_is_pseudonymised_with_a_dictionary(tmp_path, client, analyst):
    org = OrganisationFactory(org_number="802000-0009")
    rows = good_rows(7)
    import_rows(tmp_path, org, rows)
    response = client.get(reverse("statistics:export"), {"period_from": "2026-03", "period_to": "2026-03"})
    text = b"".join(response.streaming_content).decode()
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 7
    assert table[0]["organisation_number"] == "802000-0009" and table[0]["period"] == "2026-03"
    assert len(table[0]["pseudonym"]) == 64
    for row in rows:
        assert row["personnummer"].replace("-", "") not in text and row["personnummer"] not in text
    dictionary = client.get(reverse("statistics:data-dictionary")).content.decode()
    for column in table[0]:
        assert f"<code>{column}</code>" in dictionary
