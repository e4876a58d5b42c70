"""Pages of the registry: the public lookup and register, the organisations' own pages (employer
lists, API tokens, state compensation) and the online registration application. Thin: the work is
in services.py and selectors.py."""

import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from omstallning.core.ratelimit import rate_limit
from omstallning.core.services import safe_download_name

from . import selectors, services, workflow
from .forms import (
    AttachmentForm,
    CompensationUploadForm,
    EmployerCompensationForm,
    LookupForm,
    RegistrationCaseForm,
    RepresentativeSignupForm,
    TableUploadForm,
    TokenForm,
)
from .models import ApiToken, CompensationApplication, CompensationRow, Organisation

# --- public --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@rate_limit(group="registry-lookup", rate="60/m", key="ip", methods=("POST",))
def lookup(request):
    """Hitta omställningsorganisation. POST, so that the number never lands in a URL or a log."""
    result = None
    form = LookupForm(request.POST or None, initial={"date": services.today()})
    if request.method == "POST" and form.is_valid():
        on_date = form.cleaned_data["date"] or services.today()
        organisation = selectors.organisation_for_employer(org_number=form.cleaned_data["orgnr"], on_date=on_date)
        result = {"organisation": organisation, "date": on_date, "orgnr": form.cleaned_data["orgnr"]}
    return render(request, "registry/lookup.html", {"form": form, "result": result})


def register(request):
    """The public register of transition organisations."""
    on_date = services.today()
    return render(request, "registry/register.html", {"entries": selectors.public_register(on_date), "today": on_date})


@require_http_methods(["GET", "HEAD"])
def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    periods = list(organisation.registration_periods.all())
    if not periods:
        raise Http404
    return render(
        request,
        "registry/organisation.html",
        {
            "organisation": organisation,
            "periods": periods,
            "registered_now": selectors.organisation_registered_on(organisation, services.today()),
        },
    )


# --- the organisation's own pages ----------------------------------------------------------


def _member_org(request, org_id) -> Organisation:
    organisation = selectors.organisation_of_member(request.user, org_id)
    if organisation is None:
        raise Http404
    return organisation


@login_required
def member_home(request):
    memberships = list(selectors.memberships_of(request.user))
    if len(memberships) == 1:
        return redirect("registry:affiliations", org_id=memberships[0].organisation_id)
    return render(request, "registry/member_home.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def affiliations(request, org_id):
    organisation = _member_org(request, org_id)
    form = TableUploadForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.affiliations_upload(
            organisation=organisation, file_name=upload.name, data=upload.read(), by=request.user
        )
        if result.ok:
            messages.success(request, _("The list was replaced: %(n)s employers.") % {"n": result.count})
            return redirect("registry:affiliations", org_id=organisation.pk)
        row_errors = [e.as_dict() for e in result.errors[:500]]
        form.add_error("file", _("The file was not accepted; nothing was changed. See the errors below."))
    items = selectors.affiliations_for(organisation)
    return render(
        request,
        "registry/affiliations.html",
        {
            "organisation": organisation,
            "form": form,
            "row_errors": row_errors,
            "affiliations": items[:200],
            "affiliation_count": items.count(),
            "tokens": ApiToken.objects.filter(organisation=organisation, revoked_at__isnull=True),
            "token_form": TokenForm(),
        },
    )


@login_required
def affiliations_csv(request, org_id):
    organisation = _member_org(request, org_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, safe_download_name("anslutna-arbetsgivare.csv"))
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["organisationsnummer", "namn", "giltig_fran", "giltig_till"])
    for a in selectors.affiliations_for(organisation).iterator():
        writer.writerow([a.employer_org_number, a.employer_name, a.valid_from, a.valid_to or ""])
    return response


@login_required
@require_POST
def token_create(request, org_id):
    organisation = _member_org(request, org_id)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("registry:affiliations", org_id=organisation.pk)
    token, raw = services.api_token_create(organisation=organisation, name=form.cleaned_data["name"], by=request.user)
    return render(request, "registry/token_created.html", {"organisation": organisation, "token": token, "raw": raw})


@login_required
@require_POST
def token_revoke(request, org_id, pk):
    organisation = _member_org(request, org_id)
    token = get_object_or_404(ApiToken, organisation=organisation, pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token was revoked."))
    return redirect("registry:affiliations", org_id=organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def compensation_list(request, org_id):
    organisation = _member_org(request, org_id)
    form = CompensationUploadForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.compensation_upload(
            organisation=organisation,
            year=form.cleaned_data["year"],
            file_name=upload.name,
            data=upload.read(),
            by=request.user,
        )
        if result.ok:
            messages.success(request, _("The application was filed."))
            return redirect("registry:compensation_detail", org_id=organisation.pk, pk=result.application.pk)
        row_errors = [e.as_dict() for e in result.errors[:500]]
        form.add_error(None, _("The application was not accepted; nothing was saved. See the errors below."))
    return render(
        request,
        "registry/compensation_list.html",
        {
            "organisation": organisation,
            "form": form,
            "row_errors": row_errors,
            "applications": selectors.compensation_applications_of(organisation),
        },
    )


def _own_application(request, org_id, pk) -> CompensationApplication:
    organisation = _member_org(request, org_id)
    return get_object_or_404(CompensationApplication, organisation=organisation, pk=pk)


@login_required
def compensation_detail(request, org_id, pk):
    application = _own_application(request, org_id, pk)
    refused = application.rows.filter(status=CompensationRow.Status.REFUSED)[:500]
    return render(
        request,
        "registry/compensation_detail.html",
        {"organisation": application.organisation, "application": application, "refused": refused},
    )


@login_required
def compensation_payout(request, org_id, pk):
    application = _own_application(request, org_id, pk)
    return payout_response(application)


@login_required
def compensation_letter(request, org_id, pk):
    application = _own_application(request, org_id, pk)
    return letter_response(request, application)


@login_required
def compensation_letter_pdf(request, org_id, pk):
    application = _own_application(request, org_id, pk)
    return letter_pdf_response(application)


# raise when the letter's template or stylesheet changes, so that cached letters are rendered anew
LETTER_VERSION = 1


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, safe_download_name(filename))
    response["Cache-Control"] = "private, no-store"
    return response


def letter_pdf_response(application: CompensationApplication) -> HttpResponse:
    """The decision on state compensation as a PDF (only once decided)."""
    from .pdf import compensation_decision_pdf

    if application.state != CompensationApplication.State.DECIDED:
        raise Http404
    # A decided application never changes, and a long collective letter costs seconds of CPU to
    # render (bench/compensation.py): the bytes are kept in the cache for a day.
    key = f"registry:compensation-letter:{LETTER_VERSION}:{application.pk}:{application.decided_at.timestamp()}"
    data = cache.get(key)
    if data is None:
        data = compensation_decision_pdf(application)
        cache.set(key, data, timeout=24 * 3600)
    return pdf_response(data, f"beslut-statlig-ersattning-{application.year}-{application.pk}.pdf")


def registration_letter_pdf_response(case) -> HttpResponse:
    from .pdf import registration_decision_pdf

    return pdf_response(registration_decision_pdf(case), f"beslut-registrering-{case.pk}.pdf")


def payout_response(application: CompensationApplication) -> HttpResponse:
    if application.state != CompensationApplication.State.DECIDED:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"utbetalning-{application.year}-{application.organisation_id}-{application.pk}.csv"
    response["Content-Disposition"] = content_disposition_header(True, safe_download_name(name))
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["organisationsnummer", "ar", "ersattning_kr", "beslut"])
    rows = application.rows.filter(status=CompensationRow.Status.ACCEPTED).order_by("row_number")
    for orgnr, amount in rows.values_list("employer_org_number", "computed_sek").iterator(chunk_size=5000):
        writer.writerow([orgnr, application.year, amount, application.decision_number])
    writer.writerow(["SUMMA", application.year, application.total_granted, application.decision_number])
    return response


def letter_response(request, application: CompensationApplication) -> HttpResponse:
    if application.state != CompensationApplication.State.DECIDED:
        raise Http404
    refused = application.rows.filter(status=CompensationRow.Status.REFUSED).order_by("row_number")
    return render(
        request,
        "registry/decision_letter.html",
        {
            "application": application,
            "organisation": application.organisation,
            "refused": refused[:1000],
            "refused_count": refused.count(),
            "accepted_count": application.row_count - application.refused_count,
        },
    )


# --- an employer's individual application for state compensation ----------------------------

# the service's row-error columns -> the employer form's fields
_EMPLOYER_FIELDS = {"org_number": "employer_org_number", "file": None}


@login_required
def employer_compensation_list(request):
    return render(
        request,
        "registry/employer_compensation_list.html",
        {"applications": selectors.employer_compensation_applications(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limit(group="registry-employer-compensation", rate="30/h", key="user", methods=("POST",))
def employer_compensation_new(request):
    """An employer files its own application (enskild ansökan, R-5.12); a case officer checks the
    signatory's authority and decides it in the admin."""
    form = EmployerCompensationForm(request.POST or None, initial={"contact_email": request.user.email})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = services.compensation_file_individual(
            organisation=data["organisation"],
            year=data["year"],
            employer_org_number=data["employer_org_number"],
            employer_name=data["employer_name"],
            fees_paid=data["fees_paid"],
            payroll_base=data["payroll_base"],
            signatory_name=data["signatory_name"],
            signatory_capacity=data["signatory_capacity"],
            contact_email=data["contact_email"],
            declaration=data["declaration"],
            by=request.user,
        )
        if result.ok:
            messages.success(request, _("The application was filed. Kammarkollegiet will decide it."))
            return redirect("registry:employer_compensation_detail", pk=result.application.pk)
        for error in result.errors:
            name = _EMPLOYER_FIELDS.get(error.column, error.column)
            form.add_error(name if name in form.fields else None, error.message)
    return render(request, "registry/employer_compensation_form.html", {"form": form})


@login_required
def employer_compensation_detail(request, pk):
    application = selectors.employer_compensation_application(request.user, pk)
    if application is None:
        raise Http404
    row = application.rows.first()
    return render(
        request,
        "registry/employer_compensation_detail.html",
        {"application": application, "row": row, "fees_kr": Decimal(row.fees_paid_ore) / 100 if row else None},
    )


@login_required
def employer_compensation_letter_pdf(request, pk):
    application = selectors.employer_compensation_application(request.user, pk)
    if application is None:
        raise Http404
    return letter_pdf_response(application)


# --- registration applications -------------------------------------------------------------


@login_required
def registration_decision_pdf(request, pk):
    """The decision on a registration application, for the applicant and the organisation's users."""
    case = selectors.registration_decision_for(request.user, pk)
    if case is None:
        raise Http404
    return registration_letter_pdf_response(case)


@require_http_methods(["GET", "POST"])
@rate_limit(group="registry-signup", rate="10/h", key="ip", methods=("POST",))
def signup(request):
    """A representative of an organisation signs up. The account is created inactive and a
    one-time verification link is mailed; the answer is the same whether or not the address
    already has an account (its owner gets a mail instead), so the page does not tell who has an
    account."""
    if request.user.is_authenticated:
        return redirect("registry:registration_list")
    form = RepresentativeSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.representative_sign_up(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
                organisation_name=data["organisation_name"],
                org_number=data["org_number"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            return redirect("registry:signup_sent")
    return render(request, "registry/signup.html", {"form": form})


def signup_sent(request):
    """ "Check your e-mail": the same page whether or not the address already had an account."""
    return render(request, "registry/signup_sent.html", {"hours": services.SIGNUP_VERIFICATION_SECONDS // 3600})


@require_http_methods(["GET", "POST"])
@rate_limit(group="registry-signup-verify", rate="30/h", key="ip", methods=("POST",))
def signup_verify(request, token):
    """The link in the verification mail. GET shows a button (so that a mail scanner that fetches
    links does not activate the account and get a session); POST activates the account, logs the
    person in (the staff second factor, when required, comes first through the middleware) and
    leads into the registration draft. The page is not cached and sends no Referer."""
    from django.contrib.auth import login

    user = services.signup_token_generator.user_for_token(token)
    if request.method == "POST" and user is not None:
        user = services.representative_sign_up_verify(token=token)
    if user is None:
        response = render(request, "registry/signup_verify.html", {"valid": False}, status=400)
    elif request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _(
                "Your e-mail address is confirmed. Your username is your e-mail address. "
                "Fill in the application below."
            ),
        )
        case = selectors.registration_cases_of(user).first()
        if case is None:
            return redirect("registry:registration_list")
        return redirect("registry:registration_edit", pk=case.pk)
    else:
        response = render(request, "registry/signup_verify.html", {"valid": True})
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def registration_list(request):
    if request.method == "POST":
        case = services.registration_case_create(by=request.user)
        return redirect("registry:registration_edit", pk=case.pk)
    return render(request, "registry/registration_list.html", {"cases": selectors.registration_cases_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request, pk):
    case = selectors.registration_case_of(request.user, pk)
    if case is None:
        raise Http404
    editable = case.state in workflow.EDITABLE_STATES
    form = RegistrationCaseForm(request.POST or None, instance=case)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and editable and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.registration_case_update(case=case, data=data, by=request.user)
            if "submit" in request.POST:
                services.registration_case_submit(case=case, by=request.user)
                messages.success(request, _("Your application was sent to Kammarkollegiet."))
            else:
                messages.success(request, _("Your draft was saved. You can continue later."))
            return redirect("registry:registration_edit", pk=case.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                form.add_error(None, exc)
    return render(
        request,
        "registry/registration_edit.html",
        {
            "case": case,
            "form": form,
            "editable": editable,
            "attachment_form": AttachmentForm(),
            "attachments": [
                (a, services.attachment_refusal_message(a) if a.status == a.Status.REFUSED else "")
                for a in case.attachments.all()
            ],
            "missing": services.registration_case_missing(case),
            "events": case.events.all(),
        },
    )


@login_required
@require_POST
def registration_attachment(request, pk):
    case = selectors.registration_case_of(request.user, pk)
    if case is None:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.registration_attachment_add(
                case=case, topic=form.cleaned_data["topic"], upload=form.cleaned_data["file"], by=request.user
            )
            messages.success(request, _("The attachment was added. It is checked for viruses and active content."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("registry:registration_edit", kwargs={"pk": case.pk}) + "#bilagor")


@login_required
@require_POST
def registration_attachment_remove(request, pk, attachment_id):
    case = selectors.registration_case_of(request.user, pk)
    if case is None:
        raise Http404
    attachment = get_object_or_404(case.attachments, pk=attachment_id)
    try:
        services.registration_attachment_remove(attachment=attachment, by=request.user)
        messages.success(request, _("The attachment was removed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("registry:registration_edit", kwargs={"pk": case.pk}) + "#bilagor")
