"""E-mails to applicants, advisors, supplier coordinators and case officers.

A :class:`~advisors.models.Notification` row is the decision to notify (unique per assignment,
kind and sequence); :func:`notification_deliver` sends it once, under a row lock taken with
``SKIP LOCKED``, and stamps ``sent_at``. Delivery is at least once: if a worker dies after the
mail left but before the commit, the next sweep sends it again; a decision is never taken twice.
Mails carry no personal identity number; they are written in the recipient's language (Swedish by
default).
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from omstallning.accounts.roles import Role

from .models import Notification

logger = logging.getLogger(__name__)
K = Notification.Kind

SUBJECTS = {
    K.ASSIGNED_APPLICANT: lambda: _("Your advisor in Omställningsportalen"),
    K.ASSIGNED_ADVISOR: lambda: _("New client assigned to you"),
    K.REASSIGNED_APPLICANT: lambda: _("You have a new advisor"),
    K.REASSIGNED_ADVISOR: lambda: _("A client has been reassigned to you"),
    K.REMINDER: lambda: _("Reminder: contact your new client within two days"),
    K.OVERDUE_COORDINATOR: lambda: _("Overdue: no first contact within the deadline"),
    K.OVERDUE_CASE_OFFICER: lambda: _("Overdue: no first contact within the deadline"),
    K.END_WARNING_ADVISOR: lambda: _("The support for a client ends in 14 days"),
    K.END_WARNING_CASE_OFFICER: lambda: _("The support for a client ends in 14 days"),
}


def recipients(notification: Notification) -> list:
    a = notification.assignment
    application = a.application
    kind = notification.kind
    if kind in (K.ASSIGNED_APPLICANT, K.REASSIGNED_APPLICANT):
        users = [application.applicant]
    elif kind in (K.ASSIGNED_ADVISOR, K.REASSIGNED_ADVISOR, K.REMINDER, K.END_WARNING_ADVISOR):
        users = [a.advisor.user]
    elif kind == K.OVERDUE_COORDINATOR:
        users = list(a.supplier.coordinators.filter(is_active=True))
    else:  # the case officer who has the case, or every case officer when nobody has it
        officer = application.case_officer
        if officer is not None and officer.is_active:
            users = [officer]
        else:
            users = list(get_user_model().objects.filter(is_active=True, groups__name=str(Role.CASE_OFFICER)))
    return [u for u in users if u.email]


def render(notification: Notification, user) -> tuple[str, str]:
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    a = notification.assignment
    with translation.override(language):
        context = {
            "assignment": a,
            "application": a.application,
            "advisor": a.advisor,
            "supplier": a.supplier,
            "recipient": user,
            "deadline": timezone.localtime(a.contact_deadline),
            "portal_name": settings.PORTAL_NAME,
        }
        subject = str(SUBJECTS[notification.kind]())
        body = render_to_string(f"advisors/email/{notification.kind}.txt", context)
    return subject, body


def notification_deliver(*, notification_id: int) -> bool:
    """Sends one notification if nobody sent it yet; True when this call sent it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignment__application__applicant", "assignment__advisor__user", "assignment__supplier")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        users = recipients(notification)
        for user in users:
            subject, body = render(notification, user)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        notification.sent_at = timezone.now()
        notification.recipients = len(users)
        notification.save(update_fields=["sent_at", "recipients"])
        logger.info("advisors: notification %s (%s) sent to %d", notification.pk, notification.kind, len(users))
        return True
