import functools
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import AccessibilityReportForm
from .ratelimit import rate_limit

logger = logging.getLogger(__name__)


@require_GET
def home(request):
    return render(request, "core/home.html")


@login_required
def dashboard(request):
    return render(request, "core/dashboard.html", {"roles": request.user.roles})


@require_http_methods(["GET", "POST"])
@rate_limit(group="accessibility-report", rate="10/h", key="ip", methods=("POST",))
def accessibility_statement(request):
    """The accessibility statement (tillgänglighetsredogörelse) with its form to report problems."""
    form = AccessibilityReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.language = get_language() or ""
        report.save()
        messages.success(request, _("Thank you. Your report has been received and will be handled."))
        return redirect("core:accessibility")
    return render(request, "core/accessibility.html", {"form": form})


@functools.cache
def _redis_client(url):
    """One client (and connection pool) per process: a new connection per check costs about 3 ms of
    CPU (redis-py reads its own package metadata for every new connection)."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)


@never_cache
@require_GET
def health(request):
    """Liveness and readiness for load balancers and docker compose: the database must answer;
    Redis is checked when it is configured."""
    from django.conf import settings

    checks = {}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("health check: database unavailable")
        checks["database"] = "error"
        status = 503
    if settings.REDIS_URL:
        try:
            _redis_client(settings.REDIS_URL).ping()
            checks["redis"] = "ok"
        except Exception:
            logger.exception("health check: redis unavailable")
            checks["redis"] = "error"
            status = 503
    return JsonResponse({"status": "ok" if status == 200 else "error", "checks": checks}, status=status)


def page_not_found(request, exception):
    return HttpResponseNotFound(loader.render_to_string("404.html", {}, request))


def server_error(request):
    # Rendered without the request context: the page must work even when the error came from a
    # context processor or the database. It shows no internals.
    return HttpResponseServerError(loader.render_to_string("500.html", {}))


@never_cache
@login_required
@require_GET
def my_data_export(request):
    """GDPR article 15: everything held about the signed-in person, as one JSON file."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from .services import attachment_response, personal_data_export

    data = personal_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return attachment_response(
        body.encode("utf-8"), filename="mina-uppgifter.json", content_type="application/json; charset=utf-8"
    )


# --- CSP violation reports ------------------------------------------------------------------------

CSP_REPORT_MAX_BYTES = 16 * 1024


def _trim_uri(value) -> str:
    """Scheme, host and path only: a query string or fragment may carry personal data."""
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not value:
        return ""
    if "://" not in value:
        return value[:40]  # "inline", "eval", "data", ...
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:200]


def _csp_reports(payload) -> list[dict]:
    """Both formats: report-uri's {"csp-report": {...}} and the Reporting API's list of
    {"type": "csp-violation", "body": {...}}."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        report = payload["csp-report"]
        return [
            {
                "document": report.get("document-uri"),
                "blocked": report.get("blocked-uri"),
                "directive": report.get("effective-directive") or report.get("violated-directive"),
                "disposition": report.get("disposition", "enforce"),
            }
        ]
    if isinstance(payload, list):
        result = []
        for item in payload[:20]:
            body = item.get("body") if isinstance(item, dict) else None
            if isinstance(body, dict) and item.get("type") == "csp-violation":
                result.append(
                    {
                        "document": body.get("documentURL"),
                        "blocked": body.get("blockedURL"),
                        "directive": body.get("effectiveDirective"),
                        "disposition": body.get("disposition", "enforce"),
                    }
                )
        return result
    return []


@csrf_exempt
@require_POST
@rate_limit(group="csp-report", rate="60/m", key="ip", methods=("POST",))
def csp_report(request):
    """Receives CSP violation reports (the browser posts them; no cookie or CSRF token). Logs a
    trimmed report on `omstallning.security`: the page's and the blocked resource's origin and path
    and the directive, never query strings, the sample or the client's address."""
    import json

    from omstallning.accounts.services import security_event_record

    if int(request.META.get("CONTENT_LENGTH") or 0) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    body = request.read(CSP_REPORT_MAX_BYTES + 1)
    if len(body) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponse(status=400)
    reports = _csp_reports(payload)
    if not reports:
        return HttpResponse(status=400)
    for report in reports[:5]:
        directive = str(report.get("directive") or "")[:60]
        security_event_record(
            "csp_violation",
            user=getattr(request, "user", None),
            directive=directive.replace(" ", "_") or "-",
            blocked=_trim_uri(report.get("blocked")).replace(" ", "_") or "-",
            page=_trim_uri(report.get("document")).replace(" ", "_") or "-",
        )
    return HttpResponse(status=204)
