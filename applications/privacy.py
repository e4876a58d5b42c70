"""Retention (gallringsplan) and GDPR article 15 for the applications app.

Loaded at start-up by core (``autodiscover_modules("privacy")``). Record types and what a rule
does to them (the periods themselves are `core.RetentionRule` rows, see docs/security.md):

* ``applications.draft``: drafts inactive since the cut-off are deleted with their uploads (the
  app's own daily sweep does the same after 30 days; a rule may only be stricter).
* ``applications.application``: finished cases (closed, refused or granted before the cut-off).
  ``delete`` removes the case with its messages, decisions, events, health details, attachments
  (files too) and history; a case still referred to by an advisor assignment or an yttrande case
  is skipped until those are gone. ``anonymise`` keeps the case's skeleton (reference, service,
  status, dates) for statistics and removes its content: submitted data, employer, municipality,
  free text, health details, attachments and the history of those fields.
* ``applications.attachment``: the uploaded files of cases finished before the cut-off
  (``anonymise`` does the same as ``delete``: a document cannot be anonymised).
* ``applications.healthdetails``: art. 9 data of cases finished before the cut-off; ``delete``
  removes the row, ``anonymise`` keeps only the yes/no answer.
"""

from django.db import transaction
from django.db.models import ProtectedError, Q

from omstallning.core.services import (
    iso,
    register_personal_data_exporter,
    register_retention_handler,
)

from .models import Application, Attachment, Decision, Draft, HealthDetails, Message, Status


def _finished_before(cutoff) -> Q:
    return (
        Q(status=Status.CLOSED, closed_at__lt=cutoff)
        | Q(status=Status.REFUSED, decided_at__lt=cutoff)
        | Q(status=Status.GRANTED, granted_at__lt=cutoff)
    )


def _delete_attachment_files(attachments) -> int:
    count = 0
    for attachment in attachments:
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        if name:
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        count += 1
    return count


@register_retention_handler("applications.draft")
def draft_retention(*, cutoff, action) -> int:
    count = 0
    for draft in Draft.objects.filter(last_activity_at__lt=cutoff):
        _delete_attachment_files(draft.attachments.filter(application__isnull=True))
        draft.delete()
        count += 1
    return count


@register_retention_handler("applications.application")
def application_retention(*, cutoff, action) -> int:
    from eligibility.services import evaluations_delete_unreferenced  # lazily, as services.py does

    finished = Application.objects.filter(_finished_before(cutoff))
    if action == "anonymise":
        return _anonymise_applications(finished.exclude(snapshot={}))
    count = 0
    for application in finished.order_by("pk"):
        pk = application.pk
        try:
            with transaction.atomic():
                _delete_attachment_files(application.attachments.all())
                application.delete()
                Application.history.filter(id=pk).delete()
                if application.evaluation_id:  # the stored evaluation holds the input: it goes too
                    evaluations_delete_unreferenced([application.evaluation_id])
        except ProtectedError:
            # Still referred to by an advisor assignment or an yttrande case: their own rules
            # remove them first; this case goes on a later night.
            continue
        count += 1
    return count


def _anonymise_applications(queryset) -> int:
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    _delete_attachment_files(Attachment.objects.filter(application_id__in=ids))
    HealthDetails.objects.filter(application_id__in=ids).delete()
    Message.objects.filter(application_id__in=ids).update(body="")
    Decision.objects.filter(application_id__in=ids).update(reason="", letter_text="")
    from .models import CaseEvent

    CaseEvent.objects.filter(application_id__in=ids).update(reason="")
    blank = {
        "municipality": "",
        "preferred_language": "",
        "employer_name": "",
        "employer_org_number": "",
        "employment_end_date": None,
    }
    from eligibility.services import evaluations_forget_input

    evaluations_forget_input(
        Application.objects.filter(pk__in=ids, evaluation__isnull=False).values_list("evaluation_id", flat=True)
    )
    # update() on purpose: the model's save() refuses to change the submitted data.
    Application.objects.filter(pk__in=ids).update(snapshot={}, eligibility_input={}, **blank)
    Application.history.filter(id__in=ids).update(**blank)
    return len(ids)


@register_retention_handler("applications.attachment")
def attachment_retention(*, cutoff, action) -> int:
    finished = Application.objects.filter(_finished_before(cutoff)).values("pk")
    return _delete_attachment_files(Attachment.objects.filter(application_id__in=finished))


@register_retention_handler("applications.healthdetails")
def health_details_retention(*, cutoff, action) -> int:
    finished = Application.objects.filter(_finished_before(cutoff)).values("pk")
    health = HealthDetails.objects.filter(application_id__in=finished)
    if action == "anonymise":
        return health.exclude(description="").update(description="")
    return health.delete()[1].get("applications.HealthDetails", 0)


# --- GDPR article 15 ----------------------------------------------------------------------------


def _health(health) -> dict | None:
    if health is None:
        return None
    return {"special_needs": health.special_needs, "description": health.description}


def _attachments(queryset) -> list[dict]:
    return [
        {
            "file_name": a.original_name,
            "kind": a.kind,
            "content_type": a.content_type,
            "size": a.size,
            "uploaded_at": iso(a.uploaded_at),
        }
        for a in queryset
    ]


@register_personal_data_exporter("applications")
def export_applications(user) -> list[dict]:
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("health")
        .prefetch_related("attachments", "messages", "decisions")
        .order_by("submitted_at", "pk")
    )
    result = []
    for a in applications:
        health = getattr(a, "health", None) if hasattr(a, "health") else None
        result.append(
            {
                "reference": a.reference,
                "service": a.service,
                "status": a.status,
                "submitted_at": iso(a.submitted_at),
                "decided_at": iso(a.decided_at),
                "closed_at": iso(a.closed_at),
                "situation": a.situation,
                "employment_end_date": iso(a.employment_end_date),
                "municipality": a.municipality,
                "meeting_preference": a.meeting_preference,
                "preferred_language": a.preferred_language,
                "employer_name": a.employer_name,
                "employer_org_number": a.employer_org_number,
                "submitted_data": a.snapshot,
                "eligibility_result": a.eligibility_result,
                "health_details": _health(health),
                "attachments": _attachments(a.attachments.all()),
                # The officer's identity is not the applicant's data; the direction says who wrote.
                "messages": [
                    {"direction": m.direction, "sent_at": iso(m.sent_at), "body": m.body} for m in a.messages.all()
                ],
                "decisions": [
                    {
                        "outcome": d.outcome,
                        "service": d.service,
                        "decided_at": iso(d.decided_at),
                        "reason": d.reason,
                        "letter": d.letter_text,
                    }
                    for d in a.decisions.all()
                ],
            }
        )
    return result


@register_personal_data_exporter("application_drafts")
def export_drafts(user) -> list[dict]:
    result = []
    for d in Draft.objects.filter(applicant=user).order_by("created_at", "pk"):
        health = getattr(d, "health", None) if hasattr(d, "health") else None
        result.append(
            {
                "service": d.service,
                "created_at": iso(d.created_at),
                "last_activity_at": iso(d.last_activity_at),
                "data": d.data,
                "health_details": _health(health),
                "attachments": _attachments(d.attachments.filter(application__isnull=True)),
            }
        )
    return result
