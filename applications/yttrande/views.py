"""Pages of the yttrande app: the applicant's yttranden, the advisor's assessment, the public
verification page and the staff download. Thin: reads via selectors, writes via services."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from omstallning.accounts.roles import Role
from omstallning.core.ratelimit import rate_limit
from omstallning.core.services import safe_download_name

from . import selectors, services
from .forms import AssessmentForm, VerifyForm
from .models import CaseStatus, YttrandeDocument

logger = logging.getLogger(__name__)


def _pdf_response(document: YttrandeDocument, *, inline: bool = False) -> HttpResponse:
    try:
        data = services.document_read(document)
    except (OSError, ValueError):
        raise Http404 from None
    response = HttpResponse(data, content_type="application/pdf")
    # the name through the core helpers (RFC 6266/5987 encoding, nothing a header must not hold)
    name = safe_download_name(f"yttrande-{document.case.reference}-v{document.version}.pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- the applicant ---------------------------------------------------------------------------
@login_required
@require_GET
def my_yttranden(request):
    cases = list(selectors.cases_for_applicant(request.user))
    for case in cases:
        case.issued = sorted((d for d in case.documents.all() if d.is_rendered), key=lambda d: d.version, reverse=True)
    return render(request, "yttrande/my_yttranden.html", {"cases": cases})


@login_required
@require_GET
@rate_limit(group="yttrande-download", rate="60/m", key="user", methods=None)
def my_yttrande_pdf(request, reference, version):
    document = selectors.document_for_applicant(request.user, reference=reference, version=version)
    if document is None:
        raise Http404
    return _pdf_response(document)


# --- the advisor -----------------------------------------------------------------------------
def _require_advisor(user):
    if not user.has_role(Role.ADVISOR):
        raise PermissionDenied


@login_required
@require_GET
def advisor_cases(request):
    _require_advisor(request.user)
    cases = selectors.cases_for_advisor(request.user)
    return render(request, "yttrande/advisor_cases.html", {"cases": cases})


@login_required
@require_http_methods(["GET", "POST"])
def advisor_assessment(request, reference):
    _require_advisor(request.user)
    case = selectors.case_for_advisor(request.user, reference)
    if case is None:
        raise Http404
    assessment = getattr(case, "assessment", None)
    editable = case.status in (CaseStatus.CONVERSATION, CaseStatus.ASSESSMENT_RECORDED)
    form = AssessmentForm(request.POST if request.method == "POST" else None, instance=assessment)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in services.ASSESSMENT_FIELDS}
            try:
                services.assessment_record(case=case, by=request.user, **values)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("The assessment is recorded. A case officer will approve it."))
                return redirect(reverse("yttrande:advisor_assessment", args=[case.reference]))
    return render(
        request,
        "yttrande/advisor_assessment.html",
        {"case": case, "form": form, "editable": editable, "assessment": assessment},
    )


# --- staff -----------------------------------------------------------------------------------
@login_required
@require_GET
def staff_document_pdf(request, document_id):
    if not (request.user.has_role(Role.CASE_OFFICER) or request.user.has_role(Role.ADMINISTRATOR)):
        raise Http404
    document = YttrandeDocument.objects.select_related("case").filter(pk=document_id).first()
    if document is None or not document.is_rendered:
        raise Http404
    return _pdf_response(document, inline=True)


# --- public verification ---------------------------------------------------------------------
@require_GET
def verify_form(request):
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = services.normalize_verification_code(form.cleaned_data["code"])
        target = services.format_verification_code(code) if code else form.cleaned_data["code"].strip()
        return redirect(reverse("yttrande:verify", args=[target or "-"]))
    return render(request, "yttrande/verify_form.html", {"form": form})


@never_cache
@require_GET
@rate_limit(group="yttrande-verify", rate="20/m", key="ip", methods=None)
def verify(request, code):
    document = selectors.document_by_code(code)
    context = {"document": document, "form": VerifyForm()}
    if document is not None:
        context["corrected"] = document.case.documents.filter(version__gt=document.version).exists()
    return render(request, "yttrande/verify.html", context, status=200 if document else 404)
