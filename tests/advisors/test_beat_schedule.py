"""The sweep is a static beat entry every 15 minutes (never an ETA task)."""

from django.conf import settings

from omstallning.celery import app


def test_sweep_runs_every_15_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["advisors-sweep-contact-deadlines"]
    assert entry["task"] == "advisors.tasks.sweep_contact_deadlines"
    assert entry["schedule"].minute == set(range(0, 60, 15))
    app.loader.import_default_modules()
    assert "advisors.tasks.sweep_contact_deadlines" in app.tasks
    assert "advisors.tasks.assign_advisor" in app.tasks
