"""Changing the password ends every other session of the account and keeps the current one."""

import pytest
from django.test import Client

from omstallning.accounts.models import UserSession
from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login
from .password_helpers import CHANGE_URL, NEW_PASSWORD

pytestmark = pytest.mark.django_db


def test_other_sessions_end_and_the_current_one_stays():
    user = UserFactory(username="olle", role=Role.ADVISOR)
    other_user = UserFactory(username="stina", role=Role.ADVISOR)
    here, laptop, phone, someone_else = Client(), Client(), Client(), Client()
    for client in (here, laptop, phone):
        password_login(client, "olle", TEST_PASSWORD)
    password_login(someone_else, "stina", TEST_PASSWORD)
    assert UserSession.objects.filter(user=user).count() == 3
    for client in (here, laptop, phone):
        assert client.get("/mina-sidor/").status_code == 200

    response = here.post(
        CHANGE_URL, {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    assert here.get("/mina-sidor/").status_code == 200  # the current session stays
    for client in (laptop, phone):
        gone = client.get("/mina-sidor/")
        assert gone.status_code == 302 and "/konto/logga-in/" in gone["Location"]
    assert UserSession.objects.filter(user=user).count() == 1
    assert UserSession.objects.get(user=user).sid == here.session["_portal_sid"]
    # Another account's session is untouched.
    assert someone_else.get("/mina-sidor/").status_code == 200
    assert UserSession.objects.filter(user=other_user).count() == 1
    # The old password no longer logs in; the new one does.
    assert password_login(Client(), "olle", TEST_PASSWORD).status_code == 200
    assert password_login(Client(), "olle", NEW_PASSWORD).status_code == 302
