import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseNotFound, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

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
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
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
    from django.http import HttpResponse

    from .services import personal_data_export

    data = personal_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mina-uppgifter.json"'
    return response
