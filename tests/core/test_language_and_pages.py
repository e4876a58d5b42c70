"""The start page is Swedish, switches to English, and unknown URLs get the Swedish 404 page."""

import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def test_start_page_is_swedish_and_explains_the_four_services(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    for service in ["Rådgivning", "Förstärkt stöd", "Vägledning", "Yttrande till CSN"]:
        assert service.lower() in html.lower(), service
    assert 'href="#main"' in html  # skip link
    assert "/tillganglighet/" in html
    assert "/konto/logga-in/" in html
    assert "vendor/bootstrap/css/bootstrap.min.css" in html


def test_language_switch_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Support when your job ends or changes" in html
    assert "På svenska" in html
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert '<html lang="sv">' in client.get("/").content.decode()


def test_accessibility_statement_page(client):
    response = client.get("/tillganglighet/")
    assert response.status_code == 200
    assert "Tillgänglighetsredogörelse" in response.content.decode()


def test_unknown_url_gets_the_swedish_404_page_in_the_base_layout(client):
    response = client.get("/finns-inte/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Sidan hittades inte" in html
    assert '<html lang="sv">' in html
    assert 'href="#main"' in html


def _boom(request):
    raise RuntimeError("secret internal detail: password=hunter2")


urlpatterns = [path("boom/", _boom)]
handler500 = "omstallning.core.views.server_error"


@pytest.mark.urls(__name__)
def test_server_error_shows_a_500_page_without_internals():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Något gick fel hos oss" in html
    assert "secret internal detail" not in html
    assert "Traceback" not in html


def test_health_endpoint_reports_the_database(client):
    response = client.get("/halsa/")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
