"""Reads of the applications app, with the role filter and no N+1 queries."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from omstallning.accounts.roles import Role

from .models import Application, Attachment, Decision, Draft, HealthDetails, Message


def drafts_for(user) -> QuerySet[Draft]:
    return Draft.objects.filter(applicant=user)


DRAFTS_PER_PAGE = 10


def drafts_page(user, page_number=None, *, per_page: int = DRAFTS_PER_PAGE):
    """One page of the applicant's drafts for the "Apply" page, most recently saved first: one
    query for the page (only the listed columns, not the steps' JSON) and one COUNT."""
    from django.core.paginator import Paginator

    drafts = (
        Draft.objects.filter(applicant=user)
        .order_by("-last_activity_at", "-pk")
        .only("pk", "service", "last_activity_at")
    )
    return Paginator(drafts, per_page).get_page(page_number)


def draft_for(user, pk: int) -> Draft:
    """The applicant's own draft, or 404 (another person's draft does not exist for them)."""
    return get_object_or_404(Draft, pk=pk, applicant=user)


def applications_for(user) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).order_by("-submitted_at", "-pk")


APPLICATIONS_PER_PAGE = 20


def applications_page(user, page_number=None, *, per_page: int = APPLICATIONS_PER_PAGE):
    """One page of the applicant's applications for Mina ärenden, most recently submitted first:
    one query for the page (only the listed columns, not the snapshot or the eligibility JSON)
    and one COUNT. A page number out of range or not a number gives the last or first page."""
    from django.core.paginator import Paginator

    applications = applications_for(user).only("pk", "reference", "service", "submitted_at", "status")
    return Paginator(applications, per_page).get_page(page_number)


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


# --- for the statistics app (plain rows, no model instances) ---------------------------------
STATISTICS_CASE_FIELDS = (
    "id",
    "applicant__personnummer",
    "situation",
    "service",
    "status",
    "submitted_at",
    "decided_at",
    "granted_at",
    "yttrande_case__assessment__strengthens",
    "yttrande_case__assessment__id",
)


def cases_open_during(start, end):
    """Applications whose case was open at some time between the aware datetimes ``start``
    (inclusive) and ``end`` (exclusive), as plain dicts ordered by id, for the agency's own
    statistics report: submitted before ``end``, not closed before ``start``, and not refused
    before ``start``.

    Keys: ``id``, ``personnummer`` (the applicant's, possibly empty), ``situation``, ``service``,
    ``status``, ``submitted_at``, ``decided_at``, ``granted_at``, ``has_assessment`` (an yttrande
    with a recorded assessment) and ``strengthens`` (that assessment's answer, else None).
    A generator: one query, read in chunks."""
    from django.db.models import Q

    qs = (
        Application.objects.filter(submitted_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .exclude(status="refused", decided_at__lt=start)
        .order_by("pk")
        .values_list(*STATISTICS_CASE_FIELDS)
    )
    for pk, pnr, situation, service, status, submitted, decided, granted, strengthens, assessment in qs.iterator(
        chunk_size=2000
    ):
        yield {
            "id": pk,
            "personnummer": pnr or "",
            "situation": situation,
            "service": service,
            "status": status,
            "submitted_at": submitted,
            "decided_at": decided,
            "granted_at": granted,
            "has_assessment": assessment is not None,
            "strengthens": strengthens if assessment is not None else None,
        }
