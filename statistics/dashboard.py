"""The analysts' pages: dashboard (tables and server-rendered SVG charts), missing reports with
reminders, and the pseudonymised person-level export for the external evaluator."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omstallning.accounts.roles import Role
from omstallning.core.services import safe_download_name
from registry.models import Organisation

from . import export, selectors, services
from .forms import DashboardFilterForm, PeriodField
from .models import Service
from .validation import parse_period

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 220, 36
PARQUET_TYPE = "application/vnd.apache.parquet"


def _analyst_or_404(request):
    user = request.user
    if not (user.has_role(Role.ANALYST) or user.has_role(Role.ADMINISTRATOR)):
        raise Http404


def _filters(request):
    form = DashboardFilterForm(
        request.GET or None,
        organisations=Organisation.objects.order_by("name"),
        services=Service.choices,
        age_bands=[(k, k.replace("-", "–")) for k in selectors.AGE_BANDS],
    )
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "period_from": data["period_from"],
            "period_to": data["period_to"],
            "service": data["service"],
            "organisation_id": data["organisation"],
            "sex": data["sex"],
            "age_band": data["age_band"],
        }
    return form, filters


def bar_chart(points, *, title, unit="", max_value=None):
    """A bar chart as SVG geometry for the template (no JavaScript, no CDN). `points` is a list of
    (label, value or None); None (suppressed) draws no bar and is labelled."""
    values = [v for _label, v in points if v is not None]
    top = max_value or (max(values) if values else 1) or 1
    n = max(len(points), 1)
    inner_w = CHART_WIDTH - 2 * CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    slot = inner_w / n
    bars = []
    for i, (label, value) in enumerate(points):
        h = 0 if value is None else inner_h * value / top
        bars.append(
            {
                "x": round(CHART_PAD + i * slot + slot * 0.15, 1),
                "y": round(CHART_PAD + inner_h - h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(h, 1),
                "label": label,
                "label_x": round(CHART_PAD + i * slot + slot / 2, 1),
                "value": value,
                "value_text": "<5" if value is None else f"{value:g}{unit}",
            }
        )
    return {
        "title": title,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "axis_y": CHART_PAD + inner_h,
        "axis_x2": CHART_WIDTH - CHART_PAD,
        "pad": CHART_PAD,
        "label_y": CHART_HEIGHT - CHART_PAD / 3,
    }


@login_required
def dashboard(request):
    _analyst_or_404(request)
    form, filters = _filters(request)
    table = selectors.dashboard_table(**filters)
    months = selectors.dashboard_months(**filters)[-12:]
    charts = [
        bar_chart([(f"{m['period']:%Y-%m}", m.get("persons")) for m in months], title=_("Persons per month")),
        bar_chart(
            [(f"{m['period']:%Y-%m}", m.get("grant_rate")) for m in months],
            title=_("Grant rate per month (%)"),
            unit=" %",
            max_value=100,
        ),
        bar_chart(
            [(f"{m['period']:%Y-%m}", m.get("contact_7_share")) for m in months],
            title=_("First contact within 7 days (%)"),
            unit=" %",
            max_value=100,
        ),
    ]
    return render(
        request,
        "statistics/dashboard.html",
        {
            "form": form,
            "table": table,
            "months": months,
            "charts": charts,
            "suppress_under": selectors.SUPPRESS_UNDER,
            "query": request.GET.urlencode(),
        },
    )


def _previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@login_required
def missing_reports(request):
    _analyst_or_404(request)
    field = PeriodField(required=False)
    try:
        period = field.clean(request.GET.get("period", "")) or _previous_month(timezone.localdate())
    except Exception:  # noqa: BLE001 - a malformed month falls back to the previous month
        period = _previous_month(timezone.localdate())
    return render(
        request,
        "statistics/missing.html",
        {"period": period, "period_label": f"{period:%Y-%m}", "missing": selectors.missing_reports(period)},
    )


@require_POST
@login_required
def send_reminder(request):
    _analyst_or_404(request)
    org = get_object_or_404(Organisation, pk=request.POST.get("organisation") or 0)
    try:
        period = parse_period(request.POST.get("period", ""))
    except ValueError:
        raise Http404 from None
    reminder = services.reminder_send(organisation=org, period=period, by=request.user)
    messages.success(
        request,
        _("A reminder was sent to %(name)s (%(n)s recipients).") % {"name": org.name, "n": reminder.recipients},
    )
    return redirect(f"{reverse('statistics:missing')}?period={period:%Y-%m}")


def _export_queryset(request):
    _form, filters = _filters(request)
    return selectors.accepted_rows(**filters).order_by("submission__period", "submission__organisation_id", "id")


@transaction.non_atomic_requests
@login_required
def export_csv(request):
    """Pseudonymised person-level rows of accepted submissions, streamed (CSV, UTF-8)."""
    _analyst_or_404(request)
    response = StreamingHttpResponse(
        export.csv_chunks(_export_queryset(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, safe_download_name(f"omstallning-statistik-{timezone.localdate():%Y%m%d}.csv")
    )
    return response


@transaction.non_atomic_requests
@login_required
def export_parquet(request):
    """The same rows and columns as Parquet (typed columns, zstd), streamed one row group at a time."""
    _analyst_or_404(request)
    response = StreamingHttpResponse(export.parquet_chunks(_export_queryset(request)), content_type=PARQUET_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, safe_download_name(f"omstallning-statistik-{timezone.localdate():%Y%m%d}.parquet")
    )
    return response


@login_required
def data_dictionary(request):
    _analyst_or_404(request)
    return render(request, "statistics/data_dictionary.html", {"columns": export.dictionary_rows()})
