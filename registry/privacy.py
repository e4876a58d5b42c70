"""Retention (gallringsplan) and GDPR article 15 for the registry app.

Loaded at start-up by core (``autodiscover_modules("privacy")``). Registration cases are about
organisations; the personal data in them are the contact person, the board members, the CEO and
what the attachments hold. Record types (periods are `core.RetentionRule` rows, see
docs/security.md); the period runs from the decision (``decided_at``), undecided cases are never
touched:

* ``registry.registrationcase``: ``delete`` removes a decided case with its events and attachments
  (files too); a case that a registration period still refers to is skipped. ``anonymise`` keeps
  the case (organisation, decision, dates) and empties the contact person, board and CEO and
  removes the attachments.
* ``registry.registrationattachment``: the attachments (rows and files) of decided cases.
* ``registry.compensationapplication``: applications for state compensation, the period running
  from the decision (undecided ones are never touched). The personal data are on the individual
  applications an employer filed online: who signed (``signatory_name``) and the contact e-mail.
  ``anonymise`` empties those two fields, in the application and in its history; ``delete``
  removes the decided application with its rows and its history.
"""

from django.db import transaction
from django.db.models import ProtectedError

from omstallning.core.services import iso, register_personal_data_exporter, register_retention_handler

from .models import CompensationApplication, OrganisationMember, RegistrationAttachment, RegistrationCase

PERSONAL_FIELDS = {
    "contact_name": "",
    "contact_phone": "",
    "contact_email": "",
    "contact_address": "",
    "board_members": "",
    "ceo": "",
}


def _decided_before(cutoff):
    return RegistrationCase.objects.filter(decided_at__isnull=False, decided_at__lt=cutoff)


def _delete_attachments(attachments) -> int:
    count = 0
    for attachment in attachments:
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        if name:
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        count += 1
    return count


@register_retention_handler("registry.registrationcase")
def registration_case_retention(*, cutoff, action) -> int:
    cases = _decided_before(cutoff)
    if action == "anonymise":
        cases = cases.exclude(contact_name="", contact_phone="", contact_email="", board_members="", ceo="")
        ids = list(cases.values_list("pk", flat=True))
        _delete_attachments(RegistrationAttachment.objects.filter(case_id__in=ids))
        RegistrationCase.objects.filter(pk__in=ids).update(**PERSONAL_FIELDS)
        return len(ids)
    count = 0
    for case in cases.order_by("pk"):
        try:
            with transaction.atomic():
                _delete_attachments(case.attachments.all())
                case.delete()
        except ProtectedError:
            continue
        count += 1
    return count


@register_retention_handler("registry.registrationattachment")
def registration_attachment_retention(*, cutoff, action) -> int:
    return _delete_attachments(RegistrationAttachment.objects.filter(case__in=_decided_before(cutoff)))


COMPENSATION_PERSONAL_FIELDS = {"signatory_name": "", "contact_email": ""}


def _compensation_decided_before(cutoff):
    return CompensationApplication.objects.filter(decided_at__isnull=False, decided_at__lt=cutoff)


@register_retention_handler("registry.compensationapplication")
def compensation_application_retention(*, cutoff, action) -> int:
    applications = _compensation_decided_before(cutoff)
    if action == "anonymise":
        ids = list(applications.exclude(signatory_name="", contact_email="").values_list("pk", flat=True))
        CompensationApplication.objects.filter(pk__in=ids).update(**COMPENSATION_PERSONAL_FIELDS)
        CompensationApplication.history.filter(id__in=ids).update(**COMPENSATION_PERSONAL_FIELDS)
        return len(ids)
    ids = list(applications.values_list("pk", flat=True))
    with transaction.atomic():
        CompensationApplication.objects.filter(pk__in=ids).delete()  # the rows go with it (CASCADE)
        CompensationApplication.history.filter(id__in=ids).delete()
    return len(ids)


@register_personal_data_exporter("registry")
def export_registry(user) -> dict:
    """Registration cases the person filed, the organisations they act for, and the individual
    compensation applications they signed for an employer."""
    return {
        "registration_cases": [
            {
                "name": c.name,
                "org_number": c.org_number,
                "state": c.state,
                "contact_name": c.contact_name,
                "contact_phone": c.contact_phone,
                "contact_email": c.contact_email,
                "submitted_at": iso(c.submitted_at),
                "decided_at": iso(c.decided_at),
                "attachments": [a.original_name for a in c.attachments.all()],
            }
            for c in RegistrationCase.objects.filter(applicant=user).order_by("created_at", "pk")
        ],
        "organisation_roles": [
            {"organisation": m.organisation.name, "administrator": m.is_admin}
            for m in OrganisationMember.objects.filter(user=user).select_related("organisation").order_by("pk")
        ],
        # individual applications for state compensation the person signed for an employer
        "compensation_applications": [
            {
                "employer_name": a.employer_name,
                "employer_org_number": a.employer_org_number,
                "year": a.year,
                "signatory_name": a.signatory_name,
                "signatory_capacity": a.signatory_capacity,
                "contact_email": a.contact_email,
                "declared_at": iso(a.declared_at),
                "state": a.state,
            }
            for a in CompensationApplication.objects.filter(filed_by=user, declared_at__isnull=False).order_by("pk")
        ],
    }
