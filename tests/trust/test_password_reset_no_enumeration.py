"""Asking for a reset link gives the same answer whether or not the address belongs to an
account; only an active account with a usable password gets the mail (e-legitimation-only
accounts have no password to reset)."""

import re

import pytest

from omstallning.accounts.models import SecurityEvent
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .password_helpers import RESET_SENT_URL, RESET_URL, ask_for_reset, reset_link

pytestmark = pytest.mark.django_db


def _sent_page(client):
    page = client.get(RESET_SENT_URL)
    assert page.status_code == 200
    # The only difference allowed: the CSRF token, masked anew on every page.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())


def test_the_log_in_page_links_to_the_reset_form(client):
    html = client.get("/konto/logga-in/").content.decode()
    assert f'href="{RESET_URL}"' in html and "Glömt lösenordet?" in html
    form = client.get(RESET_URL)
    assert form.status_code == 200 and 'autocomplete="email"' in form.content.decode()


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_mail(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory(username="handlaggare", role=Role.CASE_OFFICER, email="kalle@example.org")
    known = ask_for_reset(client, django_capture_on_commit_callbacks, "Kalle@Example.org")
    known_page = _sent_page(client)
    unknown = ask_for_reset(client, django_capture_on_commit_callbacks, "finns.inte@example.org")
    unknown_page = _sent_page(client)

    assert (known.status_code, known["Location"]) == (302, RESET_SENT_URL)
    assert (unknown.status_code, unknown["Location"]) == (302, RESET_SENT_URL)
    assert known_page == unknown_page
    assert 'data-testid="password-reset-sent"' in known_page
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["kalle@example.org"]
    assert "nytt lösenord" in mailoutbox[0].subject.lower()  # Swedish by default
    reset_link(mailoutbox[0])
    assert SecurityEvent.objects.filter(kind="password_reset_requested", user_id_ref=user.pk).count() == 1
    assert SecurityEvent.objects.filter(kind="password_reset_requested", user_id_ref=None).count() == 1


def test_accounts_without_a_usable_password_or_disabled_get_no_mail(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    e_leg = UserFactory(username="e-leg-123abc", role=Role.APPLICANT, email="sokande@example.org")
    e_leg.set_unusable_password()
    e_leg.save()
    UserFactory(username="slutat", role=Role.ADVISOR, email="slutat@example.org", is_active=False)
    for address in ["sokande@example.org", "slutat@example.org"]:
        response = ask_for_reset(client, django_capture_on_commit_callbacks, address)
        assert response.status_code == 302 and response["Location"] == RESET_SENT_URL
    assert mailoutbox == []


def test_a_malformed_address_is_refused_with_a_message(client, mailoutbox):
    response = client.post(RESET_URL, {"email": "inte en adress"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html and 'href="#id_email"' in html
    assert mailoutbox == []
