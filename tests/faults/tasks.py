"""A probe task shaped like the portal's tasks: idempotent (the effect is keyed), acks late."""

import os
import time

from celery import shared_task
from django.db import transaction

from .models import ProbeAttempt, ProbeEffect


@shared_task(name="tests.faults.tasks.probe")
def probe(key: str, work_seconds: float = 0.0) -> None:
    ProbeAttempt.objects.create(key=key, pid=os.getpid())  # autocommit: visible at once
    time.sleep(work_seconds)
    with transaction.atomic():
        ProbeEffect.objects.get_or_create(key=key)
