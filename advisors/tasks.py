"""Celery tasks: thin, idempotent wrappers around the services; ids only, never personal data.

``advisors.tasks.assign_advisor`` is started BY NAME by the applications app when a grant is
committed (applications never imports advisors). The beat job
``advisors.tasks.sweep_contact_deadlines`` runs every 15 minutes (settings.CELERY_BEAT_SCHEDULE)
and also assigns granted cases that have no assignment, so a lost task loses nothing.
"""

from celery import shared_task

from . import services
from .notifications import notification_deliver


@shared_task(name="advisors.tasks.assign_advisor")
def assign_advisor(application_id: int) -> int | None:
    assignment = services.assignment_create_for_application(application_id=application_id)
    return assignment.pk if assignment is not None else None


@shared_task(name="advisors.tasks.sweep_contact_deadlines")
def sweep_contact_deadlines() -> dict:
    return services.sweep_contact_deadlines().as_dict()


@shared_task(name="advisors.tasks.deliver_notification")
def deliver_notification(notification_id: int) -> bool:
    return notification_deliver(notification_id=notification_id)
