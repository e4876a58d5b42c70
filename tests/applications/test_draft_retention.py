"""Drafts: reminder 7 days before deletion, deletion after 30 days without activity (daily beat)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from applications import services, tasks
from applications.models import Attachment, Draft

from .factories import DraftFactory, pdf_upload

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)


def test_reminder_then_deletion():
    with time_machine.travel(T0, tick=False) as clock:
        draft = DraftFactory()
        attachment = services.attachment_add(upload=pdf_upload(), kind="tidrapport", draft=draft, by=draft.applicant)
        path = attachment.file.path
        clock.shift(datetime.timedelta(days=22, hours=23))
        assert services.drafts_sweep() == {"reminded": 0, "purged": 0}
        clock.shift(datetime.timedelta(hours=2))
        assert services.drafts_sweep() == {"reminded": 1, "purged": 0}
        assert len(mail.outbox) == 1
        assert "7" in mail.outbox[0].subject
        # a second run the same day sends nothing more
        assert tasks.sweep_drafts() == {"reminded": 0, "purged": 0}
        assert len(mail.outbox) == 1
        clock.shift(datetime.timedelta(days=7))
        assert services.drafts_sweep()["purged"] == 1
        assert not Draft.objects.filter(pk=draft.pk).exists()
        assert not Attachment.objects.filter(pk=attachment.pk).exists()
        import os

        assert not os.path.exists(path)


def test_activity_resets_the_clock():
    with time_machine.travel(T0, tick=False) as clock:
        draft = DraftFactory()
        clock.shift(datetime.timedelta(days=25))
        services.draft_save_step(draft=draft, step="about", data={"x": 1}, by=draft.applicant)
        clock.shift(datetime.timedelta(days=10))
        assert services.drafts_sweep() == {"reminded": 0, "purged": 0}
        assert Draft.objects.filter(pk=draft.pk).exists()


def test_the_sweep_is_in_the_beat_schedule():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "applications.tasks.sweep_drafts" in tasks_scheduled
