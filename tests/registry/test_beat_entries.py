"""The registry's beat entries name tasks that exist (a typo would fail silently in beat)."""

from django.conf import settings

from omstallning.celery import app


def test_the_registry_s_beat_entries_name_registered_tasks():
    import registry.tasks  # noqa: F401  (registers the tasks)

    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("registry-")}
    assert set(entries) == {"registry-sweep-unverified-signups", "registry-requeue-pending-attachments"}
    for entry in entries.values():
        assert entry["task"] in app.tasks
