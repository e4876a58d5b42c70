"""Reads of the applications app, with the role filter and no N+1 queries."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from omstallning.accounts.roles import Role

from .models import Application, Attachment, Decision, Draft, HealthDetails, Message


def drafts_for(user) -> QuerySet[Draft]:
    return Draft.objects.filter(applicant=user)


def draft_for(user, pk: int) -> Draft:
    """The applicant's own draft, or 404 (another person's draft does not exist for them)."""
    return get_object_or_404(Draft, pk=pk, applicant=user)


def applications_for(user) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).order_by("-submitted_at")


def application_for_applicant(user, pk: int) -> Application:
    qs = Application.objects.filter(applicant=user).prefetch_related(
        Prefetch("messages", queryset=Message.objects.select_related("sender").prefetch_related("attachments")),
        Prefetch("decisions", queryset=Decision.objects.order_by("decided_at")),
        "attachments",
    )
    return get_object_or_404(qs, pk=pk)


def is_case_staff(user) -> bool:
    return (
        user.is_authenticated
        and user.is_staff
        and (user.has_role(Role.CASE_OFFICER) or user.has_role(Role.ADMINISTRATOR))
    )


def attachment_for(user, pk: int) -> Attachment:
    """An attachment the user may download: their own, or any for a case officer; else 404."""
    attachment = get_object_or_404(Attachment.objects.select_related("application"), pk=pk)
    if attachment.owner_id == user.pk or is_case_staff(user):
        return attachment
    from django.http import Http404

    raise Http404


def health_details_for_officer(user, application: Application) -> HealthDetails | None:
    """Sensitive: only the case officer who has the case reads the health details."""
    if application.case_officer_id != user.pk or not user.has_role(Role.CASE_OFFICER):
        return None
    return HealthDetails.objects.filter(application=application).first()


def last_completion_request(application: Application) -> Message | None:
    return application.messages.filter(is_completion_request=True).order_by("-sent_at").first()
