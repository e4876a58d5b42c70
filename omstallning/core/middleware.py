"""Access logging of staff reads in the Django admin, where case officers work.

Every admin change page a signed-in staff member opens (GET, answered 200) is recorded as a
`view` of that record, and every admin list filtered with a search term as a `search` of that
record type (the term itself is not stored). The access log's own pages are not logged.
Deletions are logged by the pre_delete receivers (services.register_deletion_logging)."""

from .services import access_log_record

_NOT_LOGGED = {"core_accesslog_change", "core_accesslog_changelist"}


class AdminAccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            match is None
            or match.namespace != "admin"
            or request.method != "GET"
            or response.status_code != 200
            or user is None
            or not user.is_authenticated
            or not user.is_staff
            or match.url_name in _NOT_LOGGED
        ):
            return response
        model_admin = getattr(match.func, "model_admin", None)
        model = getattr(model_admin, "model", None)
        if model is None:
            return response
        if match.url_name.endswith("_change") and "object_id" in match.kwargs:
            access_log_record(user=user, obj_or_type=model, object_id=match.kwargs["object_id"], action="view")
        elif match.url_name.endswith("_changelist") and request.GET.get("q"):
            access_log_record(user=user, obj_or_type=model, action="search")
        return response


class SecurityEventMiddleware:
    """Every 403 answer (permission denied, CSRF failure) becomes a security event
    (`omstallning.security`, with the user's id and the URL's name, never the path's values), and
    every response tells the browser where CSP violation reports go (``Reporting-Endpoints``,
    used by the CSP ``report-to`` directive)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            from omstallning.accounts.services import security_event_record

            match = getattr(request, "resolver_match", None)
            security_event_record(
                "permission_denied",
                user=getattr(request, "user", None),
                view=(match.view_name if match else "-") or "-",
                method=request.method,
            )
        if "Reporting-Endpoints" not in response:
            response["Reporting-Endpoints"] = 'csp-endpoint="/csp-rapport/"'
        return response
