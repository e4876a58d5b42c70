"""Admin: a stored evaluation is shown read-only with each rule and the re-evaluation difference."""

import pytest

from eligibility.models import ParameterSet
from eligibility.services import evaluation_create

from .helpers import ooo_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="root", email="root@example.se", password="x-pass-123")
    client.force_login(user)
    return client


def test_evaluation_page_renders_rules_and_rerun_difference(admin_client):
    evaluation = evaluation_create(case=ooo_case(birth_date="1960-04-01", application_date="2025-03-31"))
    url = f"/admin/eligibility/evaluation/{evaluation.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "R-1.12" in page and "R-1.17" in page
    assert "Du var 64 år" in page
    ParameterSet.objects.update(max_age=63)
    page = admin_client.get(url).content.decode()
    assert "max_age: 64 → 63" in page


def test_parameter_and_ibb_lists_render(admin_client):
    assert admin_client.get("/admin/eligibility/parameterset/").status_code == 200
    assert "83400" in admin_client.get("/admin/eligibility/incomebaseamount/").content.decode().replace("\xa0", "")
