"""Cross-cutting tasks."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="omstallning.core.tasks.heartbeat")
def heartbeat() -> str:
    """Records that beat and a worker are alive; shown by the health endpoint."""
    now = timezone.now().isoformat()
    cache.set("core:heartbeat", now, timeout=None)
    return now
