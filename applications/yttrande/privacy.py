"""Retention (gallringsplan) and GDPR article 15 for the yttrande app.

Loaded at start-up by core (``autodiscover_modules("privacy")``). Record types (periods are
`core.RetentionRule` rows, see docs/security.md). A case counts as finished when it was sent to
CSN or another organisation was found responsible; the period runs from when it was received.

* ``yttrande.yttrandecase``: ``delete`` removes the finished case with its referrals, assessment,
  documents (PDF files too) and history; ``anonymise`` removes the name and personnummer, the
  assessment's free text and the documents (a PDF cannot be anonymised), and keeps the case's
  skeleton (reference, education, dates, outcome) for statistics.
* ``yttrande.yttrandedocument``: the issued documents (rows and PDF files) of finished cases;
  the verification page stops recognising them. ``anonymise`` does the same as ``delete``.
"""

from django.db.models import Q

from omstallning.core.services import (
    iso,
    private_file_delete_on_commit,
    register_personal_data_exporter,
    register_retention_handler,
)

from .models import Assessment, CaseStatus, YttrandeCase, YttrandeDocument
from .selectors import cases_for_applicant

FINISHED = (CaseStatus.SENT, CaseStatus.NOT_RESPONSIBLE)


def _finished_before(cutoff):
    return YttrandeCase.objects.filter(status__in=FINISHED, received_at__lt=cutoff)


def _delete_documents(documents) -> int:
    count = 0
    # Newest version first: a correction refers (PROTECT) to the version it corrects.
    for document in documents.order_by("case_id", "-version"):
        path = document.file_path
        document.delete()
        private_file_delete_on_commit(path)
        count += 1
    return count


@register_retention_handler("yttrande.yttrandecase")
def case_retention(*, cutoff, action) -> int:
    cases = _finished_before(cutoff)
    if action == "anonymise":
        cases = cases.exclude(person_name="")
        ids = list(cases.values_list("pk", flat=True))
        if not ids:
            return 0
        _delete_documents(YttrandeDocument.objects.filter(case_id__in=ids))
        Assessment.objects.filter(case_id__in=ids).update(labour_market_needs="", reasons="")
        Assessment.history.filter(case_id__in=ids).update(labour_market_needs="", reasons="")
        for pk in ids:
            # The unique (personnummer, education) pair stays unique without the personnummer.
            YttrandeCase.objects.filter(pk=pk).update(
                person_name="", personnummer="", applicant=None, education_key=f"anonymised:{pk}"
            )
        YttrandeCase.history.filter(id__in=ids).update(applicant=None)
        return len(ids)
    count = 0
    for case in cases:
        pk = case.pk
        _delete_documents(case.documents.all())
        assessment_ids = list(Assessment.objects.filter(case_id=pk).values_list("pk", flat=True))
        case.delete()
        YttrandeCase.history.filter(id=pk).delete()
        Assessment.history.filter(id__in=assessment_ids).delete()
        count += 1
    return count


@register_retention_handler("yttrande.yttrandedocument")
def document_retention(*, cutoff, action) -> int:
    return _delete_documents(YttrandeDocument.objects.filter(case__in=_finished_before(cutoff)))


# --- GDPR article 15 ----------------------------------------------------------------------------


@register_personal_data_exporter("yttrande")
def export_yttrande_cases(user) -> list[dict]:
    """The person's yttrande cases (linked to the account or carrying its personnummer)."""
    result = []
    for case in cases_for_applicant(user).order_by("received_at", "pk"):
        assessment = Assessment.objects.filter(case=case).first()
        result.append(
            {
                "reference": case.reference,
                "status": case.status,
                "received_at": iso(case.received_at),
                "name": case.person_name,
                "personnummer": case.personnummer,
                "csn_reference": case.csn_reference,
                "education": {
                    "name": case.education_name,
                    "provider": case.education_provider,
                    "start": iso(case.education_start),
                    "weeks": case.education_weeks,
                    "pace": case.education_pace,
                },
                "situation": case.situation,
                "employer_org_number": case.employer_org_number,
                "check_outcome": case.check_outcome,
                "responsible_organisation": case.responsible_organisation,
                "assessment": (
                    {
                        "conversation_on": iso(assessment.conversation_on),
                        "occupation": assessment.occupation,
                        "target_occupation": assessment.target_occupation,
                        "region": assessment.region,
                        "shortage_occupation": assessment.shortage_occupation,
                        "labour_market_needs": assessment.labour_market_needs,
                        "strengthens": assessment.strengthens,
                        "reasons": assessment.reasons,
                    }
                    if assessment
                    else None
                ),
                "documents": [
                    {
                        "version": d.version,
                        "issued_at": iso(d.issued_at),
                        "sent_to_csn_at": iso(d.sent_to_csn_at),
                        "verification_code": d.verification_code,
                    }
                    for d in case.documents.filter(~Q(rendered_at=None)).order_by("version")
                ],
            }
        )
    return result
