"""Thin, idempotent task wrappers around the services (ids only, never personal data)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def assign_yttrande_advisor(case_id: int) -> None:
    services.case_assign_advisor(case_id=case_id)


@shared_task(acks_late=True)
def yttrande_case_from_application(application_id: int) -> None:
    services.case_from_application(application_id=application_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_yttrande_document(document_id: int) -> None:
    """Idempotent per (case, version): a rendered document is never rendered again."""
    services.document_render(document_id=document_id)


@shared_task
def sweep_yttrande() -> dict:
    """Catches up what a lost task left behind: applications for an yttrande without a case,
    approved documents without a file and cases in the conversation without an advisor."""
    from applications.models import Application, Service

    from .models import CaseStatus, YttrandeCase, YttrandeDocument

    created = 0
    for pk in Application.objects.filter(service=Service.YTTRANDE, yttrande_case__isnull=True).values_list(
        "pk", flat=True
    )[:100]:
        created += services.case_from_application(application_id=pk) is not None

    rendered = 0
    for pk in YttrandeDocument.objects.filter(rendered_at__isnull=True).values_list("pk", flat=True)[:100]:
        services.document_render(document_id=pk)
        rendered += 1
    assigned = 0
    for pk in YttrandeCase.objects.filter(status=CaseStatus.CONVERSATION, advisor__isnull=True).values_list(
        "pk", flat=True
    )[:100]:
        services.case_assign_advisor(case_id=pk)
        assigned += 1
    return {"cases_from_applications": created, "rendered": rendered, "assignment_attempts": assigned}
