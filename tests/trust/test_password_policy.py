"""Offline breached/common password check: Django's CommonPasswordValidator (a list of 20,000
common passwords, shipped with Django) and a minimum of 12 characters, also for staff. No network
look-up (HIBP) is possible here; see docs/security.md."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from omstallning.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["password123456", "qwertyuiop123", "q1w2e3r4t5y6"])
def test_common_passwords_are_refused_even_when_long(password):
    staff = UserFactory(username="staff1", role=Role.CASE_OFFICER)
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=staff)
    assert "password_too_common" in {e.code for e in error.value.error_list}


def test_staff_need_at_least_twelve_characters():
    staff = UserFactory(username="staff2", role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as error:
        validate_password("Kx9!vTq2#mL", user=staff)  # 11 characters
    assert "password_too_short" in {e.code for e in error.value.error_list}
    validate_password("Kx9!vTq2#mLz", user=staff)  # 12: accepted


def test_a_password_like_the_username_is_refused():
    staff = UserFactory(username="hanna.handlaggare", role=Role.CASE_OFFICER, first_name="Hanna")
    with pytest.raises(ValidationError):
        validate_password("hanna.handlaggare", user=staff)


def test_the_admin_password_form_applies_the_validators(client):
    admin = UserFactory(username="root", role=Role.ADMINISTRATOR)
    target = UserFactory(username="staff3", role=Role.CASE_OFFICER)
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"password1": "password123456", "password2": "password123456", "usable_password": "true"},
    )
    assert response.status_code == 200  # the form again, with the error
    target.refresh_from_db()
    assert not target.check_password("password123456")
