"""Retention (gallringsplan) and GDPR article 15 for the statistics app.

Loaded at start-up by core (``autodiscover_modules("privacy")``). A submission's rows are
pseudonymised (HMAC of the personnummer), which is still personal data. Record type (the period is
a `core.RetentionRule` row, see docs/security.md), counted from the upload:

* ``statistics.submission``: ``delete`` removes the submission, its rows and the stored file;
  ``anonymise`` removes the rows and the file and keeps the submission's header (organisation,
  month, counts, status) as a record of the report.
"""

from omstallning.core.services import (
    iso,
    private_file_delete_on_commit,
    register_personal_data_exporter,
    register_retention_handler,
)

from .models import StatRow, Submission
from .services import pseudonym_key
from .validation import pseudonym


@register_retention_handler("statistics.submission")
def submission_retention(*, cutoff, action) -> int:
    old = Submission.objects.filter(created_at__lt=cutoff).exclude(status=Submission.Status.PROCESSING)
    if action == "anonymise":
        old = old.exclude(file_path="", rows__isnull=True).distinct()
        ids = list(old.values_list("pk", flat=True))
        for path in Submission.objects.filter(pk__in=ids).exclude(file_path="").values_list("file_path", flat=True):
            private_file_delete_on_commit(path)
        StatRow.objects.filter(submission_id__in=ids).delete()
        Submission.objects.filter(pk__in=ids).update(file_path="")
        return len(ids)
    count = 0
    for submission in old.order_by("pk"):
        pk, path = submission.pk, submission.file_path
        StatRow.objects.filter(submission_id=pk).delete()
        submission.delete()
        Submission.history.filter(id=pk).delete()
        private_file_delete_on_commit(path)
        count += 1
    return count


@register_personal_data_exporter("statistics")
def export_statistics_rows(user) -> list[dict]:
    """The rows the transition organisations reported about the person, found by the pseudonym of
    the account's personnummer (the rows hold no personnummer)."""
    pnr = getattr(user, "personnummer", None)
    if not pnr or len(pnr) != 12:
        return []
    rows = (
        StatRow.objects.filter(pseudonym=pseudonym(pseudonym_key(), pnr))
        .select_related("submission__organisation")
        .order_by("submission__period", "pk")
    )
    return [
        {
            "organisation": r.submission.organisation.name,
            "period": r.submission.period_label,
            "birth_year": r.birth_year,
            "legal_sex": r.legal_sex,
            "service": r.service,
            "trigger": r.trigger,
            "application_date": iso(r.application_date),
            "decision": r.decision,
            "decision_date": iso(r.decision_date),
            "first_contact_date": iso(r.first_contact_date),
            "outcome": r.outcome,
            "outcome_date": iso(r.outcome_date),
            "yttrande_strengthens": r.yttrande_strengthens,
        }
        for r in rows
    ]
