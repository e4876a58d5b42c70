"""Decision letters as PDF (WeasyPrint): the registration decision and the decision on state
compensation: a Django template rendered in Swedish (the authority's language) and turned into a
PDF by omstallning.core.pdf (shared fonts, the stylesheet parsed once, WeasyPrint allowed to load
only the project's own static files), as the yttrande is.

Rendering only; who may read a letter is decided by the views (views.py, admin.py).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from omstallning.core import pdf as core_pdf

STYLESHEET = "registry/letter.css"
# A collective decision may refuse thousands of rows; the letter lists this many and refers to
# the payout file and the portal for the rest.
MAX_LISTED_ROWS = 500


def html_to_pdf(html: str, *, fail_on_errors: bool = False) -> bytes:
    return core_pdf.html_to_pdf(html, stylesheet=STYLESHEET, fail_on_errors=fail_on_errors)


def render_pdf(template: str, context: dict) -> bytes:
    """The template rendered in Swedish, as a PDF."""
    with translation.override("sv"):
        html = render_to_string(template, {**context, "portal_name": getattr(settings, "PORTAL_NAME", "")})
    return html_to_pdf(html)


def compensation_decision_pdf(application) -> bytes:
    from .models import CompensationRow

    refused = application.rows.filter(status=CompensationRow.Status.REFUSED).order_by("row_number")
    refused_count = application.refused_count
    listed = list(refused[:MAX_LISTED_ROWS])
    return render_pdf(
        "registry/pdf/compensation_decision.html",
        {
            "application": application,
            "organisation": application.organisation,
            "row": application.rows.first() if application.kind == application.Kind.INDIVIDUAL else None,
            "refused": listed,
            "refused_count": refused_count,
            "not_listed": max(0, refused_count - len(listed)),
            "accepted_count": application.row_count - refused_count,
        },
    )


def registration_decision_pdf(case) -> bytes:
    period = getattr(case, "registration_period", None) if case.organisation_id else None
    return render_pdf("registry/pdf/registration_decision.html", {"case": case, "period": period})
