"""CSP violation reports: the policy names the endpoint (report-uri and report-to with the
Reporting-Endpoints header); the endpoint takes both formats, logs a trimmed report, refuses junk
and is rate limited."""

import json
import logging

import pytest

from omstallning.accounts.models import SecurityEvent

pytestmark = pytest.mark.django_db
URL = "/csp-rapport/"

LEGACY = {
    "csp-report": {
        "document-uri": "https://portal.example/ansok/steg/?personnummer=191212121212#x",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'",
        "blocked-uri": "https://evil.example/x.js?token=secret",
        "script-sample": "alert('191212121212')",
        "disposition": "enforce",
    }
}
REPORTING_API = [
    {
        "type": "csp-violation",
        "url": "https://portal.example/",
        "body": {
            "documentURL": "https://portal.example/mina-sidor/",
            "blockedURL": "inline",
            "effectiveDirective": "script-src-elem",
            "disposition": "enforce",
            "sample": "secret",
        },
    }
]


def test_the_policy_names_the_report_endpoint(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "report-uri /csp-rapport/" in policy
    assert "report-to csp-endpoint" in policy
    assert response["Reporting-Endpoints"] == 'csp-endpoint="/csp-rapport/"'


def test_a_report_is_logged_trimmed(client, caplog):
    with caplog.at_level(logging.INFO, logger="omstallning.security"):
        response = client.post(URL, json.dumps(LEGACY), content_type="application/csp-report")
        assert response.status_code == 204
        response = client.post(URL, json.dumps(REPORTING_API), content_type="application/reports+json")
        assert response.status_code == 204
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "omstallning.security")
    assert "directive=script-src-elem" in text
    assert "blocked=https://evil.example/x.js" in text
    assert "page=https://portal.example/ansok/steg/" in text
    assert "191212121212" not in text and "secret" not in text and "token=" not in text
    assert SecurityEvent.objects.filter(kind="csp_violation").count() == 2


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{}", json.dumps({"csp-report": "x"}).encode(), json.dumps([{"type": "other"}]).encode()],
)
def test_junk_is_refused(client, body):
    assert client.post(URL, body, content_type="application/json").status_code == 400
    assert not SecurityEvent.objects.exists()


def test_too_large_is_refused_and_only_post(client):
    big = json.dumps({"csp-report": {"blocked-uri": "x" * 20000}})
    assert client.post(URL, big, content_type="application/csp-report").status_code == 413
    assert client.get(URL).status_code == 405


def test_rate_limited(client, settings):
    settings.PORTAL_RATELIMIT_ENABLED = True
    from django.core.cache import cache

    cache.clear()
    statuses = [
        client.post(URL, json.dumps(LEGACY), content_type="application/csp-report").status_code for _ in range(61)
    ]
    assert statuses[:60] == [204] * 60
    assert statuses[60] == 429
