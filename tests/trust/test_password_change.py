"""The user changes their own password: the old password is required (that is the
re-authentication), Django's validators apply, the change is a security event and the user gets
an e-mail notice that names no values."""

import pytest

from omstallning.accounts.models import SecurityEvent
from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login
from .password_helpers import CHANGE_URL, NEW_PASSWORD, SECURITY_URL

pytestmark = pytest.mark.django_db


def _change(client, old, new1, new2=None):
    return client.post(CHANGE_URL, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1})


def test_the_security_page_links_to_the_change_form(client):
    UserFactory(username="lena", role=Role.CASE_OFFICER)
    password_login(client, "lena", TEST_PASSWORD)
    assert f'href="{CHANGE_URL}"' in client.get(SECURITY_URL).content.decode()
    page = client.get(CHANGE_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert "<script>" not in html  # CSP: no inline script


def test_change_with_the_right_old_password(client, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="lena", role=Role.CASE_OFFICER, email="lena@example.org")
    password_login(client, "lena", TEST_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = _change(client, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == SECURITY_URL
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(user_id_ref=user.pk, kind="password_changed").count() == 1
    # The notice, in Swedish by default, names no password.
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["lena@example.org"]
    assert "lösenord" in mailoutbox[0].body.lower()
    assert NEW_PASSWORD not in mailoutbox[0].body and TEST_PASSWORD not in mailoutbox[0].body
    page = client.get(SECURITY_URL)
    assert page.status_code == 200  # still logged in
    assert "Ditt lösenord har ändrats" in page.content.decode()


def test_a_wrong_old_password_changes_nothing(client, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="lena", role=Role.APPLICANT)
    password_login(client, "lena", TEST_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = _change(client, "not-the-password", NEW_PASSWORD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html and 'href="#id_old_password"' in html
    assert "Det nuvarande lösenordet är fel" in html
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert mailoutbox == []
    assert SecurityEvent.objects.filter(user_id_ref=user.pk, kind="reauth_failed").count() == 1
    assert not SecurityEvent.objects.filter(user_id_ref=user.pk, kind="password_changed").exists()


@pytest.mark.parametrize(
    "weak",
    ["kort-2026", "password1234", "123456789012345", "lena.lena.lena"],
    ids=["too-short", "common", "numeric", "like-the-username"],
)
def test_a_weak_new_password_is_refused_with_the_reason(client, weak):
    user = UserFactory(username="lena.lena.lena", role=Role.CASE_OFFICER)
    password_login(client, "lena.lena.lena", TEST_PASSWORD)
    response = _change(client, TEST_PASSWORD, weak)
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html and 'href="#id_new_password2"' in html
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_the_two_new_passwords_must_match(client):
    user = UserFactory(username="lena", role=Role.APPLICANT)
    password_login(client, "lena", TEST_PASSWORD)
    response = _change(client, TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert response.status_code == 200
    assert "De två nya lösenorden är inte lika" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_anonymous_is_sent_to_the_log_in_page(client):
    response = client.get(CHANGE_URL)
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_an_e_legitimation_account_without_a_password_has_no_change_form(client):
    user = UserFactory(username="e-leg-abc", role=Role.APPLICANT)
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.get(CHANGE_URL)
    assert response.status_code == 302 and response["Location"] == SECURITY_URL
    assert f'href="{CHANGE_URL}"' not in client.get(SECURITY_URL).content.decode()
