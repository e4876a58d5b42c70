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


@shared_task(name="omstallning.core.tasks.apply_retention_schedule")
def apply_retention_schedule() -> dict:
    """Nightly (beat): applies the gallringsplan. Idempotent: a second run finds nothing older
    than the cut-off. Returns and logs counts per record type only."""
    from .services import retention_apply

    return retention_apply()
