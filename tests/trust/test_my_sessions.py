"""A user sees their own active sessions (browser/system, truncated network, times) on the
security page and ends one or all others; others' sessions are out of reach."""

import pytest
from django.test import Client

from omstallning.accounts.models import SecurityEvent, UserSession
from omstallning.accounts.roles import Role
from omstallning.accounts.services import device_summary, truncated_network
from tests.factories import TEST_PASSWORD, UserFactory

from .helpers import password_login

pytestmark = pytest.mark.django_db
URL = "/konto/sakerhet/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1"
)


def _device(user_agent, address):
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    password_login(client, "karin", TEST_PASSWORD)
    return client


def test_device_summary_and_truncated_network():
    assert device_summary(FIREFOX) == "Firefox, Linux"
    assert device_summary(IPHONE) == "Safari, iOS"
    assert device_summary("") == ""
    assert truncated_network("192.0.2.77") == "192.0.2.0/24"
    assert truncated_network("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert truncated_network("not an address") == ""


def test_the_user_sees_each_session_and_ends_one_then_all_others():
    karin = UserFactory(username="karin", role=Role.CASE_OFFICER)
    laptop = _device(FIREFOX, "192.0.2.77")
    phone = _device(IPHONE, "198.51.100.23")
    tablet = _device(FIREFOX, "203.0.113.5")
    assert UserSession.objects.filter(user=karin).count() == 3

    page = laptop.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Firefox, Linux" in html and "Safari, iOS" in html
    assert "198.51.100.0/24" in html
    assert "198.51.100.23" not in html and "192.0.2.77" not in html  # never the full address
    assert "denna session" in html  # the current one is marked (Swedish default)

    phone_sid = UserSession.objects.get(user=karin, device="Safari, iOS").sid
    response = laptop.post(URL, {"end_session": phone_sid})
    assert response.status_code == 302
    assert phone.get("/mina-sidor/").status_code == 302  # logged out at once
    assert laptop.get("/mina-sidor/").status_code == 200
    assert tablet.get("/mina-sidor/").status_code == 200

    laptop.post(URL, {"end_others": "1"})
    assert tablet.get("/mina-sidor/").status_code == 302
    assert laptop.get("/mina-sidor/").status_code == 200
    assert list(UserSession.objects.filter(user=karin).values_list("device", flat=True)) == ["Firefox, Linux"]
    assert SecurityEvent.objects.filter(kind="session_ended", user_id_ref=karin.pk).count() == 2


def test_the_current_session_and_other_users_sessions_cannot_be_ended_here():
    karin = UserFactory(username="karin", role=Role.APPLICANT)
    UserFactory(username="per", role=Role.APPLICANT)
    mine = _device(FIREFOX, "192.0.2.1")
    other = Client()
    password_login(other, "per", TEST_PASSWORD)
    per_sid = UserSession.objects.get(user__username="per").sid
    own_sid = UserSession.objects.get(user=karin).sid
    mine.post(URL, {"end_session": per_sid})
    mine.post(URL, {"end_session": own_sid})
    assert other.get("/mina-sidor/").status_code == 200
    assert mine.get("/mina-sidor/").status_code == 200
    assert UserSession.objects.filter(user__username="per").count() == 1


def test_the_session_row_follows_the_key_change_of_the_second_factor(settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .helpers import VERIFY_URL, current_code

    settings.PORTAL_STAFF_OTP_REQUIRED = True
    officer = UserFactory(username="karin", role=Role.CASE_OFFICER)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    client = _device(FIREFOX, "192.0.2.1")
    client.post(VERIFY_URL, {"token": current_code(device)})
    row = UserSession.objects.get(user=officer)
    assert row.session_key == client.session.session_key
    other = _device(IPHONE, "192.0.2.2")  # password given, code not yet
    client.post(URL, {"end_others": "1"})
    assert UserSession.objects.filter(user=officer).count() == 1
    response = other.get("/mina-sidor/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")


def test_log_out_removes_the_row_and_the_security_page_needs_a_log_in(client):
    karin = UserFactory(username="karin", role=Role.APPLICANT)
    assert client.get(URL).status_code == 302
    password_login(client, "karin", TEST_PASSWORD)
    assert UserSession.objects.filter(user=karin).count() == 1
    client.post("/konto/logga-ut/")
    assert UserSession.objects.filter(user=karin).count() == 0


def test_stale_rows_and_old_security_events_follow_the_retention_schedule():
    import datetime as dt

    from django.utils import timezone

    from omstallning.core.models import RetentionRule
    from omstallning.core.services import retention_apply

    karin = UserFactory(username="karin", role=Role.APPLICANT)
    _device(FIREFOX, "192.0.2.1")
    old = timezone.now() - dt.timedelta(days=10)
    UserSession.objects.filter(user=karin).update(last_seen_at=old)
    SecurityEvent.objects.filter(user_id_ref=karin.pk).update(at=old)
    RetentionRule.objects.create(record_type="accounts.usersession", retention_days=2, action="delete")
    RetentionRule.objects.create(record_type="accounts.securityevent", retention_days=5, action="anonymise")
    counts = retention_apply()
    assert counts["accounts.usersession"] == 1
    assert counts["accounts.securityevent"] >= 1
    assert not UserSession.objects.filter(user=karin).exists()
    assert not SecurityEvent.objects.filter(user_id_ref=karin.pk).exists()
    assert SecurityEvent.objects.filter(kind="login", user_id_ref=None).exists()
