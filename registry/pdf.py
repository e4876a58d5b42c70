"""Decision letters as PDF (WeasyPrint): the registration decision and the decision on state
compensation. The approach of the yttrande PDF (applications/yttrande/pdf.py), kept in this app
because the registry does not import from applications:

* a Django template rendered in Swedish (the authority's language) and turned into a PDF;
* one process-wide `FontConfiguration` and the stylesheet parsed once;
* `StaticOnlyURLFetcher`: WeasyPrint may load only the project's own static files, read from disk
  through the staticfiles finders; every other URL (http, https, file, data…) is refused and
  nothing is fetched from the network.

Rendering only; who may read a letter is decided by the views (views.py, admin.py).
"""

from __future__ import annotations

import logging
import mimetypes
from functools import cache
from urllib.parse import unquote, urlsplit
from urllib.request import OpenerDirector

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STYLESHEET = "registry/letter.css"
# The fake origin that relative and static URLs resolve against; never contacted (RFC 2606).
INTERNAL_ORIGIN = "https://portal.invalid"
# A collective decision may refuse thousands of rows; the letter lists this many and refers to
# the payout file and the portal for the rest.
MAX_LISTED_ROWS = 500


class URLRefused(ValueError):
    """WeasyPrint asked for something other than one of our static files."""


def _static_path(url: str) -> str | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != INTERNAL_ORIGIN or parts.query:
        return None
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    if not relative or relative.startswith("/") or ".." in relative.split("/"):
        return None
    return finders.find(relative)


class StaticOnlyURLFetcher(URLFetcher):
    """Serves the project's static files and refuses every other URL (with `fail_on_errors` the
    refusal stops the rendering, as in the tests; otherwise WeasyPrint leaves the resource out)."""

    def __init__(self, *, fail_on_errors: bool = False):
        # Not URLFetcher.__init__: it builds urllib handlers and an SSL context for network
        # access that this fetcher never does.
        OpenerDirector.__init__(self)
        self._timeout = 1
        self._http_headers = {}
        self._allowed_protocols = ()
        self._fail_on_errors = fail_on_errors
        self._request = None

    def fetch(self, url, headers=None):
        path = _static_path(url)
        if path is None:
            logger.warning("registry PDF: refused to fetch %s", url[:200])
            raise URLRefused(f"only the portal's own static files may be loaded, not {url[:200]}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as fh:
            body = fh.read()
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


@cache
def font_config():
    return FontConfiguration()


@cache
def _stylesheet():
    return CSS(
        url=f"{INTERNAL_ORIGIN}/{settings.STATIC_URL.strip('/')}/{STYLESHEET}",
        url_fetcher=StaticOnlyURLFetcher(fail_on_errors=True),
        font_config=font_config(),
    )


def html_to_pdf(html: str, *, fail_on_errors: bool = False) -> bytes:
    document = HTML(
        string=html, base_url=f"{INTERNAL_ORIGIN}/", url_fetcher=StaticOnlyURLFetcher(fail_on_errors=fail_on_errors)
    )
    return document.write_pdf(stylesheets=[_stylesheet()], font_config=font_config())


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
