"""Pages for organisation reporters (upload, history, errors) and analysts (dashboard)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from omstallning.core.services import safe_download_name

from . import selectors, services
from .forms import TokenForm, UploadForm
from .models import ApiToken, Submission
from .validation import render_errors


def _member_or_404(request, organisation_id):
    member = selectors.membership(request.user, organisation_id)
    if member is None:
        raise Http404
    return member


def _submission_or_404(request, organisation_id, submission_id):
    member = _member_or_404(request, organisation_id)
    submission = get_object_or_404(Submission, pk=submission_id, organisation=member.organisation)
    return member, submission


@login_required
def submissions(request):
    organisations = list(selectors.organisations_of(request.user))
    if len(organisations) == 1:
        return redirect("statistics:organisation", organisation_id=organisations[0].pk)
    return render(request, "statistics/organisations.html", {"organisations": organisations})


@login_required
def organisation(request, organisation_id):
    member = _member_or_404(request, organisation_id)
    org = member.organisation
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_create(
                organisation=org,
                period=form.cleaned_data["period"],
                file=form.cleaned_data["file"],
                by=request.user,
                source=Submission.Source.WEB,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("statistics:submission", organisation_id=org.pk, submission_id=submission.pk)
    history = selectors.submissions_for(org)[:100]
    return render(
        request,
        "statistics/organisation.html",
        {"organisation": org, "member": member, "form": form, "history": history},
    )


@login_required
def submission(request, organisation_id, submission_id):
    member, sub = _submission_or_404(request, organisation_id, submission_id)
    return render(
        request,
        "statistics/submission.html",
        {
            "organisation": member.organisation,
            "submission": sub,
            "errors": render_errors(sub.errors),
            "progress": selectors.submission_progress(sub),
        },
    )


@require_GET
@login_required
def submission_status(request, organisation_id, submission_id):
    _member, sub = _submission_or_404(request, organisation_id, submission_id)
    return JsonResponse(
        {
            "id": sub.pk,
            "status": sub.status,
            "status_display": sub.get_status_display(),
            "finished": sub.is_finished,
            "progress": selectors.submission_progress(sub),
            "rows": sub.row_count,
            "error_count": sub.error_count,
        }
    )


def _cell(value: str) -> str:
    """No formula injection when the CSV is opened in a spreadsheet (values come from the file)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require_GET
@login_required
def submission_errors_csv(request, organisation_id, submission_id):
    _member, sub = _submission_or_404(request, organisation_id, submission_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, safe_download_name(f"fel-{sub.period_label}-{sub.pk}.csv")
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("row"), _("column"), _("message")])
    for item in render_errors(sub.errors):
        writer.writerow([item["row"] or "", _cell(item["column"] or ""), _cell(item["message"])])
    return response


@login_required
def tokens(request, organisation_id):
    member = _member_or_404(request, organisation_id)
    if not member.is_admin:
        raise Http404
    org = member.organisation
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                organisation=org, name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "statistics/tokens.html",
        {
            "organisation": org,
            "form": form,
            "new_key": new_key,
            "tokens": selectors.active_tokens(org),
            "api_url": request.build_absolute_uri(reverse("statistics:api-submissions")),
        },
    )


@require_POST
@login_required
def token_revoke(request, organisation_id, token_id):
    member = _member_or_404(request, organisation_id)
    token = get_object_or_404(ApiToken, pk=token_id, organisation=member.organisation)
    try:
        services.api_token_revoke(token=token, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The key was revoked."))
    return redirect("statistics:tokens", organisation_id=organisation_id)
