"""The public pre-check "Kan jag få stöd?": no log-in, nothing stored."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from omstallning.core.ratelimit import rate_limit

from .forms import PrecheckForm
from .rules import InputError, evaluate, parse_case
from .selectors import cached_current_parameters

#: The empty form's questions, rendered once per (language, day) in each process: they are the same
#: for every visitor (the CSRF token and the CSP nonce sit outside them), and rendering the 24-month
#: grid is most of the page's cost. Kept per process, so a deployment renders them afresh.
_EMPTY_FIELDS_HTML: dict[tuple[str, datetime.date], str] = {}

_MONTH_FIELD = re.compile(r"^months\[(\d+)\]\.(hours|income|skippable)")


def _today() -> datetime.date:
    return datetime.datetime.now(tz=ZoneInfo("Europe/Stockholm")).date()


def _registry_lookup_url() -> str | None:
    try:
        return reverse("registry:lookup")
    except NoReverseMatch:
        return None


def _form_field_for(error: InputError, case: dict, form: PrecheckForm) -> str | None:
    """The form field an engine input error belongs to, if any."""
    m = _MONTH_FIELD.match(error.field)
    if m:
        if form.cleaned_data.get("same_every_month") and m.group(2) in ("hours", "income"):
            return f"same_{m.group(2)}"
        month = case["months"][int(m.group(1))]["month"]
        prefix = {"hours": "hours", "income": "income", "skippable": "skip"}[m.group(2)]
        return f"{prefix}_{month.replace('-', '_')}"
    base = error.field.split(".")[-1]
    return base if base in form.fields else None


@never_cache
@rate_limit(group="eligibility-precheck", rate="30/m", key="ip", methods=("POST",))
def precheck(request):
    today = _today()
    result = None
    reasons = []
    if request.method == "POST":
        form = PrecheckForm(request.POST, today=today)
        if form.is_valid():
            case = form.to_case()
            params = cached_current_parameters()
            try:
                result = evaluate(parse_case(case, params), params)
            except InputError as exc:
                field = _form_field_for(exc, case, form)
                label = str(form.fields[field].label) if field else _("Your answers")
                form.add_error(field, f"{label}: {exc.message}")
            else:
                english = (get_language() or "sv").startswith("en")
                reasons = [
                    {"rule": r["rule"], "passed": r["passed"], "text": r["text_en"] if english else r["text"]}
                    for r in result["reasons"]
                ]
    else:
        key = (get_language() or "sv", today)
        fields_html = _EMPTY_FIELDS_HTML.get(key)
        if fields_html is None:
            form = PrecheckForm(today=today)
            fields_html = render_to_string(  # a SafeString: auto-escaped by the template engine
                "eligibility/_precheck_fields.html",
                {"form": form, "frame_first": form.months[0], "frame_last": form.months[-1]},
            )
            if len(_EMPTY_FIELDS_HTML) > 8:  # yesterday's entries go
                _EMPTY_FIELDS_HTML.clear()
            _EMPTY_FIELDS_HTML[key] = fields_html
        context = {"form": None, "fields_html": fields_html, "registry_lookup_url": _registry_lookup_url()}
        return render(request, "eligibility/precheck.html", context)
    employer_elsewhere = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        employer_elsewhere = (
            data.get("kollektivavtal") == "yes" or data.get("finances_registered_organisation") == "yes"
        )
    context = {
        "form": form,
        "result": result,
        "reasons": reasons,
        "failed_reasons": [r for r in reasons if not r["passed"]],
        "employer_elsewhere": employer_elsewhere,
        "registry_lookup_url": _registry_lookup_url(),
        "frame_first": form.months[0],
        "frame_last": form.months[-1],
    }
    return render(request, "eligibility/precheck.html", context)
