"""Reads of the yttrande app, each with the role filter it needs (others' objects: 404)."""

from django.db.models import Q, QuerySet

from omstallning.accounts.roles import Role

from .models import YttrandeCase, YttrandeDocument
from .services import normalize_verification_code


def _formatted_pnr(user) -> str | None:
    pnr = getattr(user, "personnummer", None)
    if not pnr or len(pnr) != 12:
        return None
    return f"{pnr[:8]}-{pnr[8:]}"


def cases_for_applicant(user) -> QuerySet[YttrandeCase]:
    """The applicant's own cases: linked to the account or carrying the account's personnummer."""
    if not user.is_authenticated:
        return YttrandeCase.objects.none()
    condition = Q(applicant=user)
    pnr = _formatted_pnr(user)
    if pnr:
        condition |= Q(personnummer=pnr)
    return YttrandeCase.objects.filter(condition).prefetch_related("documents").order_by("-received_at")


def document_for_applicant(user, *, reference: str, version: int) -> YttrandeDocument | None:
    return (
        YttrandeDocument.objects.filter(
            case__in=cases_for_applicant(user), case__reference=reference, version=version, rendered_at__isnull=False
        )
        .select_related("case")
        .first()
    )


def cases_for_advisor(user) -> QuerySet[YttrandeCase]:
    if not user.is_authenticated or not user.has_role(Role.ADVISOR):
        return YttrandeCase.objects.none()
    return YttrandeCase.objects.filter(advisor__user=user).select_related("assessment").order_by("received_at")


def case_for_advisor(user, reference: str) -> YttrandeCase | None:
    return cases_for_advisor(user).select_related("advisor").filter(reference=reference).first()


def document_by_code(code: str) -> YttrandeDocument | None:
    """The issued document with this verification code (None for a malformed or unknown code)."""
    normalized = normalize_verification_code(code)
    if normalized is None:
        return None
    return YttrandeDocument.objects.filter(verification_code=normalized, rendered_at__isnull=False).first()


def case_for_api(reference: str) -> YttrandeCase | None:
    return YttrandeCase.objects.filter(reference=reference).prefetch_related("documents").first()


def latest_issued_document(case: YttrandeCase) -> YttrandeDocument | None:
    return case.documents.filter(rendered_at__isnull=False).order_by("-version").first()


def documents_not_fetched() -> QuerySet[YttrandeDocument]:
    return (
        YttrandeDocument.objects.filter(rendered_at__isnull=False, sent_to_csn_at__isnull=True)
        .select_related("case")
        .order_by("issued_at")
    )
