"""Reads for the statistics app."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import QuerySet

from registry.models import Organisation, OrganisationMember

from .models import ApiToken, Submission


def organisation_is_registered(organisation: Organisation, on_date: datetime.date | None = None) -> bool:
    """Whether the organisation is a registered transition organisation on `on_date`.

    The one place that decides it: until the registry's registration history is committed, every
    Organisation counts as registered. Switch this to the registry's selector
    ("registered on date") when it exists."""
    return organisation is not None and organisation.pk is not None


def registered_organisations(on_date: datetime.date | None = None) -> list[Organisation]:
    return [org for org in Organisation.objects.order_by("name") if organisation_is_registered(org, on_date)]


def organisation_by_number(orgnr: str) -> Organisation | None:
    """ORGNR as NNNNNN-NNNN or NNNNNNNNNN → the Organisation, or None."""
    digits = (orgnr or "").strip().replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        return None
    return Organisation.objects.filter(org_number=f"{digits[:6]}-{digits[6:]}").first()


def organisations_of(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(members__user=user).order_by("name")


def membership(user, organisation_id: int) -> OrganisationMember | None:
    if not user.is_authenticated:
        return None
    return (
        OrganisationMember.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .first()
    )


def submissions_for(organisation: Organisation) -> QuerySet[Submission]:
    return Submission.objects.filter(organisation=organisation).select_related("uploaded_by").defer("errors")


def accepted_submission(organisation: Organisation, period: datetime.date) -> Submission | None:
    return Submission.objects.filter(
        organisation=organisation, period=period, status=Submission.Status.ACCEPTED
    ).first()


def progress_key(submission_id: int) -> str:
    return f"statistics:progress:{submission_id}"


def submission_progress(submission: Submission) -> int:
    """0–100. While processing, the live figure comes from the cache (the import's own transaction
    is not visible to others until it commits)."""
    if submission.status != Submission.Status.PROCESSING:
        return 100
    return int(cache.get(progress_key(submission.pk), submission.progress))


def active_tokens(organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organisation=organisation).select_related("created_by")
