"""A log-in from a browser the account has not used before is told to its holder by e-mail. The
browser is recognised by a signed, HttpOnly, SameSite=Lax cookie holding a random id; only a keyed
hash of it is stored per user, at most PORTAL_KNOWN_DEVICES_MAX of them."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from omstallning.accounts import tasks
from omstallning.accounts.models import KnownDevice, SecurityEvent
from omstallning.accounts.roles import Role
from omstallning.accounts.services import DEVICE_COOKIE_SALT, device_digest
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login

pytestmark = pytest.mark.django_db
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
START = dt.datetime(2026, 6, 1, 7, 30, tzinfo=dt.UTC)  # 09:30 in Stockholm


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _login(capture, client, username, password=TEST_PASSWORD):
    with capture(execute=True):
        response = password_login(client, username, password)
    client.post("/konto/logga-ut/")
    return response


def test_first_log_in_is_silent_then_a_new_browser_is_told(
    django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    user = UserFactory(username="nora", role=Role.CASE_OFFICER, email="nora@example.org")
    queued = []
    original = tasks.new_device_notice_mail.delay_on_commit
    monkeypatch.setattr(
        tasks.new_device_notice_mail, "delay_on_commit", lambda *a, **k: (queued.append((a, k)), original(*a, **k))
    )
    laptop = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.77")
    with time_machine.travel(START, tick=False) as clock:
        response = _login(django_capture_on_commit_callbacks, laptop, "nora")
        assert response.status_code == 302
        assert mailoutbox == [], "the very first log-in of an account sends no notice"
        assert KnownDevice.objects.filter(user=user).count() == 1

        clock.shift(dt.timedelta(days=3))
        assert _login(django_capture_on_commit_callbacks, laptop, "nora").status_code == 302
        assert mailoutbox == [], "the same browser again: no notice"
        known = KnownDevice.objects.get(user=user)
        assert known.last_seen_at == START + dt.timedelta(days=3) and known.first_seen_at == START

        phone = Client(HTTP_USER_AGENT=SAFARI_IPHONE, REMOTE_ADDR="198.51.100.23")
        clock.shift(dt.timedelta(hours=2))
        assert _login(django_capture_on_commit_callbacks, phone, "nora").status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["nora@example.org"]
    assert "ny inloggning" in mail.subject.lower()
    assert "2026-06-04 11:30" in mail.body  # when, in Swedish time
    assert "Safari, iOS" in mail.body  # browser and system in coarse words
    assert "198.51.100" not in mail.body and "203.0.113" not in mail.body  # no address, no network
    assert "nora" not in mail.body
    assert "behöver du inte göra något" in mail.body and "Glömt lösenordet?" in mail.body
    new = KnownDevice.objects.get(user=user, device="Safari, iOS")
    assert queued == [((user.pk, new.pk), {})]  # ids only
    assert SecurityEvent.objects.filter(kind="new_device_login", user_id_ref=user.pk).count() == 1
    assert KnownDevice.objects.filter(user=user).count() == 2


def test_the_cookie_is_signed_http_only_lax_and_only_a_keyed_hash_is_stored(
    django_capture_on_commit_callbacks, settings
):
    user = UserFactory(username="olle", role=Role.APPLICANT)
    browser = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    with django_capture_on_commit_callbacks(execute=True):
        response = password_login(browser, "olle", TEST_PASSWORD)
    morsel = response.cookies["portal_device"]
    assert morsel["httponly"] and morsel["samesite"] == "Lax" and morsel["path"] == "/"
    assert int(morsel["max-age"]) >= 300 * 24 * 3600  # long-lived
    assert not morsel["secure"]  # test settings; production: see below
    from django.http import HttpRequest

    reader = HttpRequest()
    reader.COOKIES["portal_device"] = morsel.value
    device_id = reader.get_signed_cookie("portal_device", salt=DEVICE_COOKIE_SALT)
    stored = KnownDevice.objects.get(user=user)
    assert stored.device_hash == device_digest(user_id=user.pk, device_id=device_id)
    assert device_id not in stored.device_hash
    # Another account in the same browser: same cookie, unrelated stored value.
    other = UserFactory(username="petra", role=Role.APPLICANT)
    browser.post("/konto/logga-ut/")
    with django_capture_on_commit_callbacks(execute=True):
        password_login(browser, "petra", TEST_PASSWORD)
    assert KnownDevice.objects.get(user=other).device_hash != stored.device_hash

    # Production: Secure and the __Host- prefix.
    settings.SESSION_COOKIE_SECURE = True
    secure_browser = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    with django_capture_on_commit_callbacks(execute=True):
        response = password_login(secure_browser, "olle", TEST_PASSWORD)
    morsel = response.cookies["__Host-portal_device"]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"


def test_a_forged_cookie_is_a_new_browser(django_capture_on_commit_callbacks, mailoutbox):
    UserFactory(username="rita", role=Role.ADVISOR, email="rita@example.org")
    browser = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    _login(django_capture_on_commit_callbacks, browser, "rita")
    browser.cookies["portal_device"] = "0" * 32  # not signed
    _login(django_capture_on_commit_callbacks, browser, "rita")
    assert len(mailoutbox) == 1


def test_at_most_the_cap_of_browsers_is_kept_the_oldest_dropped(django_capture_on_commit_callbacks, settings):
    settings.PORTAL_KNOWN_DEVICES_MAX = 3
    user = UserFactory(username="sven", role=Role.APPLICANT)
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            clock.shift(dt.timedelta(hours=1))
            _login(django_capture_on_commit_callbacks, Client(HTTP_USER_AGENT=FIREFOX_LINUX), "sven")
    seen = sorted(KnownDevice.objects.filter(user=user).values_list("first_seen_at", flat=True))
    assert seen == [START + dt.timedelta(hours=h) for h in (3, 4, 5)]


def test_the_task_sends_once_and_a_forced_test_log_in_records_nothing(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="tove", role=Role.APPLICANT, email="tove@example.org", preferred_language="en")
    _login(django_capture_on_commit_callbacks, Client(), "tove")
    _login(django_capture_on_commit_callbacks, Client(HTTP_USER_AGENT=FIREFOX_LINUX), "tove")
    assert len(mailoutbox) == 1 and "new log-in" in mailoutbox[0].subject
    assert "Firefox, Linux" in mailoutbox[0].body
    device = KnownDevice.objects.get(user=user, device="Firefox, Linux")
    assert tasks.new_device_notice_mail.delay(user.pk, device.pk).get() is False  # already sent
    assert tasks.new_device_notice_mail.delay(user.pk + 999, device.pk).get() is False  # another user's id
    assert len(mailoutbox) == 1
    # The test client's force_login has no browser behind it: nothing is recorded.
    Client().force_login(user)
    assert KnownDevice.objects.filter(user=user).count() == 2


def test_the_security_page_lists_the_known_browsers(django_capture_on_commit_callbacks):
    UserFactory(username="ulla", role=Role.APPLICANT)
    _login(django_capture_on_commit_callbacks, Client(HTTP_USER_AGENT=SAFARI_IPHONE), "ulla")
    laptop = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    with django_capture_on_commit_callbacks(execute=True):
        password_login(laptop, "ulla", TEST_PASSWORD)
    html = laptop.get("/konto/sakerhet/").content.decode()
    assert "Webbläsare som du har loggat in från" in html
    table = html[html.index('data-testid="known-devices"') :]
    assert "Safari, iOS" in table and "Firefox, Linux" in table


def test_browsers_not_seen_since_the_cut_off_follow_the_retention_schedule(django_capture_on_commit_callbacks):
    from omstallning.core.models import RetentionRule
    from omstallning.core.services import retention_apply

    user = UserFactory(username="vera", role=Role.APPLICANT)
    with time_machine.travel(START, tick=False):
        _login(django_capture_on_commit_callbacks, Client(HTTP_USER_AGENT=SAFARI_IPHONE), "vera")
    _login(django_capture_on_commit_callbacks, Client(HTTP_USER_AGENT=FIREFOX_LINUX), "vera")
    RetentionRule.objects.create(record_type="accounts.knowndevice", retention_days=30, action="delete")
    assert retention_apply()["accounts.knowndevice"] == 1
    assert list(KnownDevice.objects.filter(user=user).values_list("device", flat=True)) == ["Firefox, Linux"]


def test_a_secret_key_rotation_keeps_the_known_browsers(django_capture_on_commit_callbacks, mailoutbox, settings):
    user = UserFactory(username="yngve", role=Role.APPLICANT, email="yngve@example.org")
    browser = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    _login(django_capture_on_commit_callbacks, browser, "yngve")
    before = KnownDevice.objects.get(user=user).device_hash
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-test-" + "x" * 20
    _login(django_capture_on_commit_callbacks, browser, "yngve")
    assert mailoutbox == [], "the same browser after a key rotation is not new"
    after = KnownDevice.objects.get(user=user).device_hash
    assert after != before  # moved to the current key
