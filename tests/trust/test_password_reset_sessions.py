"""Setting a new password with a reset link ends every session of the account."""

import pytest
from django.test import Client

from omstallning.accounts.models import UserSession
from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login
from .password_helpers import ask_for_reset, reset_link, set_new_password

pytestmark = pytest.mark.django_db


def test_every_session_ends_after_a_reset(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="anna", role=Role.APPLICANT, email="anna@example.org")
    UserFactory(username="bo", role=Role.APPLICANT, email="bo@example.org")
    laptop, phone, someone_else = Client(), Client(), Client()
    password_login(laptop, "anna", TEST_PASSWORD)
    password_login(phone, "anna", TEST_PASSWORD)
    password_login(someone_else, "bo", TEST_PASSWORD)
    assert laptop.get("/mina-sidor/").status_code == 200

    # The reset is done in the laptop's browser, which is logged in, and in another one.
    ask_for_reset(laptop, django_capture_on_commit_callbacks, "anna@example.org")
    done = set_new_password(Client(), django_capture_on_commit_callbacks, reset_link(mailoutbox[0]))
    assert done.status_code == 302

    for client in (laptop, phone):
        response = client.get("/mina-sidor/")
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
    assert not UserSession.objects.filter(user=user).exists()
    assert someone_else.get("/mina-sidor/").status_code == 200
