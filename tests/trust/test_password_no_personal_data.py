"""No personnummer in the reset mail, its link, the pages' addresses, or the notices: the link
carries only the account's id (base64) and Django's token."""

import base64

import pytest
from django.test import Client

from omstallning.accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login
from .password_helpers import CHANGE_URL, NEW_PASSWORD, ask_for_reset, reset_link, set_new_password

pytestmark = pytest.mark.django_db
PERSONNUMMER = "191212121212"  # Skatteverket's test number


def _forms_of(personnummer):
    short = personnummer[2:]
    return {personnummer, short, f"{personnummer[:8]}-{personnummer[8:]}", f"{short[:6]}-{short[6:]}"}


def test_no_personnummer_in_any_mail_or_url(client, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="applicant-pw", role=Role.APPLICANT, email="sokande@example.org")
    user.personnummer = PERSONNUMMER
    user.save()
    urls = []

    ask_for_reset(client, django_capture_on_commit_callbacks, "sokande@example.org")
    link = reset_link(mailoutbox[0])
    urls.append(link)
    uid = link.rstrip("/").split("/")[-2]
    assert base64.urlsafe_b64decode(uid + "=" * (-len(uid) % 4)).decode() == str(user.pk)
    reset_client = Client()
    opened = reset_client.get(link)
    urls.append(opened["Location"])
    done = set_new_password(reset_client, django_capture_on_commit_callbacks, link)
    urls.append(done["Location"])

    password_login(client, "applicant-pw", NEW_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        again = TEST_PASSWORD + "-2026"
        changed = client.post(
            CHANGE_URL, {"old_password": NEW_PASSWORD, "new_password1": again, "new_password2": again}
        )
    assert changed.status_code == 302
    urls.append(changed["Location"])

    assert len(mailoutbox) == 3  # the link, the notice after the reset, the notice after the change
    for message in mailoutbox:
        text = f"{message.subject}\n{message.body}\n{message.to}"
        for alternative, _mime in getattr(message, "alternatives", []):
            text += str(alternative)
        for form in _forms_of(PERSONNUMMER):
            assert form not in text
    for url in urls:
        for form in _forms_of(PERSONNUMMER):
            assert form not in url
