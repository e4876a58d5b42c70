"""Helpers for the password change and reset tests."""

import re

CHANGE_URL = "/konto/sakerhet/losenord/"
RESET_URL = "/konto/glomt-losenord/"
RESET_SENT_URL = "/konto/glomt-losenord/skickat/"
RESET_COMPLETE_URL = "/konto/nytt-losenord/klart/"
SECURITY_URL = "/konto/sakerhet/"
NEW_PASSWORD = "en-ny-och-lang-losenordsfras-2026"
LINK = re.compile(r"https?://[^\s/]+(/konto/nytt-losenord/[^\s]+/[^\s]+/)")


def reset_link(message) -> str:
    """The path of the one-time link in a reset mail."""
    match = LINK.search(message.body)
    assert match, "the reset mail holds a link"
    return match.group(1)


def ask_for_reset(client, capture, address):
    with capture(execute=True):
        return client.post(RESET_URL, {"email": address})


def set_new_password(client, capture, link, password=NEW_PASSWORD):
    """Opens the link (Django moves the token into the session and redirects) and sets the password."""
    opened = client.get(link)
    assert opened.status_code == 302, "a valid link redirects to the form without the token"
    form_url = opened["Location"]
    assert client.get(form_url).status_code == 200
    with capture(execute=True):
        return client.post(form_url, {"new_password1": password, "new_password2": password})
