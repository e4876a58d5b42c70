"""Staff reads and deletions are access-logged; the log holds no personal data and is read-only,
searchable in the admin."""

import pytest

from omstallning.accounts.roles import Role
from omstallning.core.models import AccessLog
from omstallning.core.services import access_log_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_read_is_recorded_with_type_and_id_only():
    officer = UserFactory(username="reader", role=Role.CASE_OFFICER)
    applicant = UserFactory(username="subject", role=Role.APPLICANT, personnummer="191212121212")
    entry = access_log_record(user=officer, obj_or_type=applicant, action="view")
    entry.refresh_from_db()
    assert (entry.username, entry.object_type, entry.object_id, entry.action) == (
        "reader",
        "accounts.user",
        str(applicant.pk),
        "view",
    )
    values = " ".join(str(v) for v in AccessLog.objects.values_list().get())
    assert "191212121212" not in values
    assert applicant.last_name not in values


def test_a_search_on_a_type_and_an_unknown_action():
    officer = UserFactory(role=Role.CASE_OFFICER)
    entry = access_log_record(user=officer, obj_or_type="Accounts.User", action="search")
    assert (entry.object_type, entry.object_id) == ("accounts.user", "")
    with pytest.raises(ValueError):
        access_log_record(user=officer, obj_or_type="accounts.user", action="peek")


def test_deleting_a_registered_model_in_the_admin_is_logged_with_the_deleting_user(client):
    admin = UserFactory(username="deleter", role=Role.ADMINISTRATOR)
    victim = UserFactory(username="gone", role=Role.APPLICANT)
    client.force_login(admin)
    response = client.post(f"/admin/accounts/user/{victim.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    entry = AccessLog.objects.get(action="delete")
    assert (entry.username, entry.object_type, entry.object_id) == ("deleter", "accounts.user", str(victim.pk))


def test_the_admin_lists_and_searches_but_never_changes_the_log(client):
    admin = UserFactory(username="auditor", role=Role.ADMINISTRATOR)
    officer = UserFactory(username="hanna", role=Role.CASE_OFFICER)
    access_log_record(user=officer, obj_or_type="applications.application", object_id=4711, action="view")
    access_log_record(user=admin, obj_or_type="applications.application", object_id=99, action="view")
    client.force_login(admin)
    page = client.get("/admin/core/accesslog/", {"q": "hanna"})
    assert page.status_code == 200
    assert b"4711" in page.content
    assert b">99<" not in page.content
    page = client.get("/admin/core/accesslog/", {"q": "4711"})
    assert b"hanna" in page.content
    entry = AccessLog.objects.get(object_id="4711")
    assert client.get(f"/admin/core/accesslog/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/core/accesslog/add/").status_code == 403
    client.post(f"/admin/core/accesslog/{entry.pk}/change/", {"username": "someone-else"})
    entry.refresh_from_db()
    assert entry.username == "hanna"


def test_opening_a_record_or_searching_in_the_admin_is_logged(client):
    officer = UserFactory(username="admin-reader", role=Role.ADMINISTRATOR)
    subject = UserFactory(username="looked-at", role=Role.APPLICANT)
    client.force_login(officer)
    assert client.get(f"/admin/accounts/user/{subject.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/user/", {"q": "looked"}).status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200  # a plain list is not a search
    entries = list(AccessLog.objects.order_by("id").values_list("username", "action", "object_type", "object_id"))
    assert entries == [
        ("admin-reader", "view", "accounts.user", str(subject.pk)),
        ("admin-reader", "search", "accounts.user", ""),
    ]
    assert "looked" not in str(entries[1])  # the search term is not stored
    client.get("/admin/core/accesslog/")
    client.get("/admin/core/accesslog/", {"q": "x"})
    assert AccessLog.objects.count() == 2  # reading the log is not itself logged


def test_deletions_of_the_portals_records_are_registered():
    from django.apps import apps
    from django.db.models.signals import pre_delete

    from omstallning.core.apps import DELETION_LOGGED
    from omstallning.core.services import _log_deletion

    for label in DELETION_LOGGED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        receivers = pre_delete._live_receivers(model)
        receivers = receivers[0] if isinstance(receivers, tuple) else receivers
        assert _log_deletion in receivers, label
