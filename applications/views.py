"""The applicant's pages: choose a service, the form steps, submit, Mina ärenden, downloads."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import (
    EXTRA_MONTHS,
    FRAME_MONTHS,
    AboutYouForm,
    AttachmentForm,
    ChooseServiceForm,
    CompletionAnswerForm,
    EducationForm,
    EmploymentForm,
    HealthForm,
    SubmitForm,
    WorkHistoryForm,
    frame_months,
)
from .models import HealthDetails, Status
from .steps import next_step, previous_step, step_by_slug, steps_for


def _step_url(draft, step):
    return reverse("applications:step", args=[draft.pk, step.slug])


@login_required
def choose_service(request):
    form = ChooseServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = services.draft_create(service=form.cleaned_data["service"], by=request.user)
        return redirect(_step_url(draft, steps_for(draft.service)[0]))
    drafts = selectors.drafts_page(request.user, request.GET.get("sida"))
    return render(request, "applications/choose_service.html", {"form": form, "drafts": drafts})


def _indicator(draft, current):
    items = []
    for number, step in enumerate(steps_for(draft.service), start=1):
        items.append(
            {
                "number": number,
                "step": step,
                "url": _step_url(draft, step),
                "done": step.key in draft.data,
                "current": step == current,
            }
        )
    return items


def _form_for(step, draft, request, data=None, files=None):
    saved = draft.data.get(step.key, {})
    if step.key == "about":
        initial = saved or {
            "first_name": request.user.first_name,
            "last_name": request.user.last_name,
            "email": request.user.email,
            "phone": request.user.phone,
            "preferred_language": request.user.preferred_language,
        }
        return AboutYouForm(data, initial=initial, locked_personnummer=request.user.personnummer or None)
    if step.key == "employment":
        return EmploymentForm(data, initial=saved)
    if step.key == "work_history":
        return WorkHistoryForm(
            data, initial=saved, months=frame_months(timezone.localdate(), FRAME_MONTHS + EXTRA_MONTHS)
        )
    if step.key == "health":
        health = HealthDetails.objects.filter(draft=draft).first()
        initial = {}
        if health is not None:
            initial = {"special_needs": "yes" if health.special_needs else "no", "description": health.description}
        return HealthForm(data, initial=initial)
    if step.key == "education":
        return EducationForm(data, initial=saved)
    if step.key == "attachments":
        return AttachmentForm(data, files)
    if step.key == "review":
        return SubmitForm(data, initial={"token": draft.token})
    raise Http404


@login_required
def step(request, pk, slug):
    draft = selectors.draft_for(request.user, pk)
    current = step_by_slug(draft.service, slug)
    if current is None:
        raise Http404
    following = next_step(draft.service, current)
    if request.method == "POST" and current.key == "attachments":
        return _attachments_post(request, draft, current, following)
    form = _form_for(current, draft, request, request.POST if request.method == "POST" else None, request.FILES)
    if request.method == "POST" and current.key != "review" and form.is_valid():
        if current.key == "health":
            services.health_details_save(
                draft=draft,
                special_needs=form.cleaned_data["special_needs"] == "yes",
                description=form.cleaned_data.get("description", ""),
                by=request.user,
            )
        else:
            services.draft_save_step(draft=draft, step=current.key, data=form.to_json(), by=request.user)
        if "save_and_leave" in request.POST:
            messages.success(request, _("Your draft is saved. You can continue later from “Apply”."))
            return redirect("applications:choose_service")
        return redirect(_step_url(draft, following) if following else "applications:choose_service")
    context = {
        "draft": draft,
        "form": form,
        "current": current,
        "indicator": _indicator(draft, current),
        "previous": previous_step(draft.service, current),
    }
    if current.key == "attachments":
        context["attachments"] = draft.attachments.all()
        context["next_url"] = _step_url(draft, following) if following else None
    if current.key == "review":
        context["missing"] = [s for s in steps_for(draft.service) if s.required and s.key not in draft.data]
        context["summary"] = _summary(draft)
    return render(request, f"applications/steps/{current.key}.html", context)


def _attachments_post(request, draft, current, following):
    form = AttachmentForm(request.POST, request.FILES)
    if "continue" in request.POST and not request.FILES:
        services.draft_save_step(
            draft=draft, step="attachments", data={"count": draft.attachments.count()}, by=request.user
        )
        return redirect(_step_url(draft, following))
    if form.is_valid():
        try:
            services.attachment_add(
                upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"], draft=draft, by=request.user
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect(_step_url(draft, current))
    context = {
        "draft": draft,
        "form": form,
        "current": current,
        "indicator": _indicator(draft, current),
        "previous": previous_step(draft.service, current),
        "attachments": draft.attachments.all(),
        "next_url": _step_url(draft, following) if following else None,
    }
    return render(request, "applications/steps/attachments.html", context, status=200)


def _summary(draft):
    """A readable list of what the applicant entered, step by step (for the review page)."""
    rows = []
    labels = {
        "about": AboutYouForm(locked_personnummer=None),
        "employment": EmploymentForm(),
        "education": EducationForm(),
    }
    for step in steps_for(draft.service):
        saved = draft.data.get(step.key)
        if step.key in labels and saved:
            form = labels[step.key]
            fields = []
            for name, value in saved.items():
                field = form.fields.get(name)
                if field is None:
                    continue
                choices = dict(getattr(field, "choices", []) or [])
                fields.append((field.label, choices.get(value, value) if value not in (None, "") else "–"))
            rows.append((step, fields))
        elif step.key == "work_history" and saved:
            filled = [m for m in saved.get("months", []) if m.get("hours") or m.get("income")]
            rows.append((step, [(_("Months filled in"), len(filled))]))
        elif step.key == "health" and saved:
            rows.append((step, [(_("Your needs"), _("Filled in"))]))
    return rows


@login_required
@require_POST
def attachment_remove(request, pk, attachment_pk):
    draft = selectors.draft_for(request.user, pk)
    attachment = get_object_or_404(draft.attachments.all(), pk=attachment_pk, owner=request.user)
    services.attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("The document was removed."))
    return redirect("applications:step", pk=draft.pk, slug="bilagor")


@login_required
@require_POST
def draft_remove(request, pk):
    draft = selectors.draft_for(request.user, pk)
    services.draft_delete(draft=draft, by=request.user)
    messages.success(request, _("The draft was deleted."))
    return redirect("applications:choose_service")


@transaction.non_atomic_requests  # application_submit is the transaction (no savepoint inside ATOMIC_REQUESTS)
@login_required
@require_POST
def submit(request):
    form = SubmitForm(request.POST)
    try:
        token = uuid.UUID(str(request.POST.get("token", "")))
    except ValueError:
        raise Http404 from None
    if not form.is_valid():
        # the draft is read only here and on a refused submit: the normal path never needs it
        draft = selectors.drafts_for(request.user).filter(token=token).first()
        if draft is None:
            raise Http404
        current = step_by_slug(draft.service, "granska")
        context = {
            "draft": draft,
            "form": form,
            "current": current,
            "indicator": _indicator(draft, current),
            "previous": previous_step(draft.service, current),
            "missing": [s for s in steps_for(draft.service) if s.required and s.key not in draft.data],
            "summary": _summary(draft),
        }
        return render(request, "applications/steps/review.html", context)
    try:
        result = services.application_submit(token=form.cleaned_data["token"], by=request.user)
    except services.Draft.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        draft = selectors.drafts_for(request.user).filter(token=token).only("pk").first()
        return (
            redirect("applications:step", pk=draft.pk, slug="granska") if draft else redirect("applications:my_cases")
        )
    return redirect("applications:receipt", pk=result.application.pk)


@login_required
def receipt(request, pk):
    application = selectors.application_for_applicant(request.user, pk)
    return render(request, "applications/receipt.html", {"application": application})


@login_required
def my_cases(request):
    return render(
        request,
        "applications/my_cases.html",
        {
            # one page (?sida=N): one query for the page and one COUNT, however many cases
            "applications": selectors.applications_page(request.user, request.GET.get("sida")),
            # a COUNT: the page links to "Apply", it does not list (or load) the drafts
            "draft_count": selectors.drafts_for(request.user).count(),
        },
    )


def _reasons(application):
    english = translation.get_language() == "en"
    return [
        {"rule": r["rule"], "passed": r.get("passed"), "text": r.get("text_en") if english else r.get("text")}
        for r in application.eligibility_result.get("reasons", [])
    ]


@login_required
def case_detail(request, pk):
    application = selectors.application_for_applicant(request.user, pk)
    form = None
    if application.status == Status.NEEDS_COMPLETION:
        form = CompletionAnswerForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.application_answer_completion(
                    application_id=application.pk,
                    body=form.cleaned_data.get("body", ""),
                    uploads=request.FILES.getlist("files"),
                    by=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except services.TransitionNotAllowed as exc:
                messages.error(request, str(exc))
                return redirect("applications:case", pk=application.pk)
            else:
                messages.success(request, _("Thank you. Your answer has been sent to the case officer."))
                return redirect("applications:case", pk=application.pk)
    elif request.method == "POST":
        return redirect("applications:case", pk=application.pk)
    return render(
        request,
        "applications/case_detail.html",
        {
            "application": application,
            "reasons": _reasons(application),
            "form": form,
            "completion_request": selectors.last_completion_request(application),
        },
    )


def _add_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("files", exc)


@login_required
def attachment_download(request, pk):
    attachment = selectors.attachment_for(request.user, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
