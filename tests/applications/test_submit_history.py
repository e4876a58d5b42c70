"""The submit writes the application's first history row itself (not through simple-history's
post_save, which builds a manager class per save): the row must be the one simple-history would
have written, and later changes are still recorded by simple-history."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, HealthDetails, Service
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import DraftFactory, pdf_upload

pytestmark = pytest.mark.django_db


def test_the_creation_row_is_what_simple_history_writes(client):
    draft = DraftFactory()
    client.force_login(draft.applicant)
    response = client.post(reverse("applications:submit"), {"token": str(draft.token), "confirm": "on"})
    assert response.status_code == 302
    application = Application.objects.get(source_token=draft.token)
    (row,) = application.history.all()
    assert row.history_type == "+"
    assert row.history_user_id == draft.applicant.pk
    assert row.history_change_reason is None
    assert row.history_date == application.submitted_at
    tracked = [f.attname for f in row._meta.concrete_fields if not f.attname.startswith("history_")]
    assert set(tracked) == {f.attname for f in Application._meta.concrete_fields} - {
        "snapshot",
        "eligibility_input",
        "eligibility_result",
    }
    for name in tracked:
        assert getattr(row, name) == getattr(application, name), name
    # what simple-history itself writes for a new application has the same columns
    assert set(tracked) == {f.attname for f in Application.history.model._meta.concrete_fields} - {
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user_id",
    }


def test_later_changes_are_recorded_by_simple_history():
    draft = DraftFactory()
    application = services.application_submit(token=draft.token, by=draft.applicant).application
    officer = UserFactory(role=Role.CASE_OFFICER)
    services.application_take(application_id=application.pk, by=officer)
    rows = list(application.history.order_by("history_date", "history_id"))
    assert [r.history_type for r in rows] == ["+", "~"]
    assert rows[1].case_officer_id == officer.pk and rows[0].case_officer_id is None


def test_health_details_move_to_the_application():
    draft = DraftFactory(service=Service.FORSTARKT_STOD)
    services.health_details_save(draft=draft, special_needs=True, description="Rullstol", by=draft.applicant)
    services.attachment_add(upload=pdf_upload(), kind="arbetsgivarintyg", draft=draft, by=draft.applicant)
    before = HealthDetails.objects.get(draft=draft).updated_at
    application = services.application_submit(token=draft.token, by=draft.applicant).application
    health = HealthDetails.objects.get(application=application)
    assert health.draft_id is None and health.special_needs and health.description == "Rullstol"
    assert health.updated_at >= before
    assert application.eligibility_input["illness_special_needs"] is True
    assert application.snapshot["health_details"] == "stored separately"
    assert [a["name"] for a in application.snapshot["attachments"]] == ["intyg.pdf"]
    assert application.attachments.get().draft_id is None


def test_several_attachments_are_read_with_the_draft_in_upload_order():
    draft = DraftFactory(service=Service.FORSTARKT_STOD)
    services.health_details_save(draft=draft, special_needs=False, description="", by=draft.applicant)
    names = ["intyg.pdf", "uppsagning.pdf", "tidrapport.pdf"]
    for name in names:
        services.attachment_add(upload=pdf_upload(name), kind="annat", draft=draft, by=draft.applicant)
    application = services.application_submit(token=draft.token, by=draft.applicant).application
    assert [a["name"] for a in application.snapshot["attachments"]] == names
    assert sorted(application.attachments.values_list("original_name", flat=True)) == sorted(names)
    assert application.eligibility_input["illness_special_needs"] is False
    assert HealthDetails.objects.get(application=application).draft_id is None
    assert application.snapshot["steps"] == {k: v for k, v in draft.data.items() if k != services.REGISTRY_KEY}
