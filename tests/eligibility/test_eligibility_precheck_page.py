"""The public pre-check page: no log-in, nothing stored, explanations, errors per field."""

import pytest
from django.urls import reverse

from eligibility.forms import frame_months
from eligibility.models import Evaluation
from eligibility.views import _today

pytestmark = pytest.mark.django_db

YES = "yes"
NO = "no"


def _post(client, **overrides):
    data = {
        "service": "radgivning",
        "situation": "uppsagd_arbetsbrist",
        "birth_date": "1980-05-10",
        "employment_end_date": "2099-01-31",
        "active_in_sweden": YES,
        "registered_with_skatteverket": YES,
        "kollektivavtal": NO,
        "finances_registered_organisation": NO,
        "same_every_month": "on",
        "same_hours": "160",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("eligibility:precheck"), data)


def test_page_is_public_and_in_swedish_by_default(client):
    response = client.get("/kan-jag-fa-stod/")
    assert response.status_code == 200
    assert "Kan jag få stöd?" in response.content.decode()


def test_passing_case_shows_every_rule_and_stores_nothing(client):
    response = _post(client)
    page = response.content.decode()
    assert "Du verkar uppfylla villkoren" in page
    for rule in ("R-1.10", "R-1.11", "R-1.12", "R-1.13", "R-1.15", "R-1.16", "R-1.17"):
        assert f'data-rule="{rule}"' in page
    assert "24 månader med i snitt minst 16 timmar" in page
    assert Evaluation.objects.count() == 0


def test_failing_case_names_the_failed_rule_and_points_to_the_lookup(client):
    page = _post(client, kollektivavtal=YES).content.decode()
    assert "Du verkar inte uppfylla villkoren" in page
    assert 'class="mb-2 reason reason-failed" data-rule="R-1.13"' in page
    assert 'id="employer-elsewhere"' in page


def test_month_grid_without_same_every_month(client):
    months = frame_months(_today())
    data = {f"hours_{m.year}_{m.month:02d}": "120" for m in months[-12:]}
    page = _post(client, same_every_month=None, same_hours=None, **data).content.decode()
    assert "12 månader med i snitt minst 16 timmar" in page
    assert "Du verkar uppfylla villkoren" in page


def test_english_explanations(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = _post(client).content.decode()
    assert "You appear to meet the conditions" in page
    assert "The employer is active in Sweden" in page


def test_errors_next_to_fields_and_in_summary_naming_the_field(client):
    first = frame_months(_today())[0]
    key = f"hours_{first.year}_{first.month:02d}"
    page = _post(
        client, birth_date="1980-02-30", kollektivavtal=None, same_every_month=None, **{key: "-5"}
    ).content.decode()
    assert "data-error-summary" in page
    assert 'href="#id_birth_date"' in page
    assert "Födelsedatum: " in page
    assert 'href="#id_kollektivavtal_0"' in page
    assert 'id="id_kollektivavtal_0"' in page
    assert f'id="id_{key}"' in page
    assert f'href="#id_{key}"' in page
    assert 'aria-invalid="true"' in page
    assert "Du verkar" not in page
