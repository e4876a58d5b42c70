"""The Celery app. Tasks are thin wrappers around service functions and idempotent; they are
enqueued with `delay_on_commit` (celery.contrib.django.task.DjangoTask) so that nothing runs for a
transaction that was rolled back. Settings are read from Django settings with the CELERY_ prefix.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omstallning.settings.dev")

app = Celery("omstallning", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
