"""The e2e infrastructure itself: gunicorn serves the portal on the test database, the browser
reaches it, and a task enqueued by a request runs on the real worker."""

from tests.e2e.journeys import E2E

pytestmark = E2E


def test_gunicorn_serves_the_demo_data_to_the_browser(demo, browser_page, shots):
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username="sara.sokande").exists()
    page = browser_page("sara.sokande")
    assert page.locator("h1").inner_text() == "Mina sidor"
    shots(page, "logged in")
    assert page.evaluate("getComputedStyle(document.body).fontFamily")  # Bootstrap's CSS is served
    css = page.request.get(page.url.split("/mina-sidor")[0] + "/static/vendor/bootstrap/css/bootstrap.min.css")
    assert css.status == 200


def test_the_worker_runs_tasks_enqueued_here(e2e):
    from omstallning.core.tasks import heartbeat

    heartbeat.delay()
    e2e.worker.wait_for("omstallning.core.tasks.heartbeat", timeout=30)
