"""The yttrande as a PDF: a Django template rendered by WeasyPrint.

Pure rendering, no database: `render_yttrande_pdf(YttrandePdfData(...)) -> bytes`. The caller
(services.document_render) stores the bytes once and never renders the same version again.

Speed and safety (performance target T4: p50 <= 300 ms, p95 <= 400 ms per 2-page yttrande):

* one `FontConfiguration` for the whole process, and the stylesheet parsed once with it;
* a lean stylesheet of our own (no CSS framework) and the system font DejaVu Sans (Debian
  fonts-dejavu-core), which has every Swedish glyph;
* no tables at all, so nothing can cross a page break badly;
* `StaticOnlyURLFetcher`: the only resources WeasyPrint may load are the project's own static
  files, read from disk through Django's staticfiles finders. Every other URL (http, https, ftp,
  file, data) is refused and nothing is fetched from the network.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from datetime import date
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

TEMPLATE = "yttrande/pdf/yttrande.html"
STYLESHEET = "yttrande/pdf.css"
# The fake origin that relative and static URLs in the PDF template resolve against. It is never
# contacted: the fetcher maps it to files on disk. `.invalid` can never resolve (RFC 2606).
INTERNAL_ORIGIN = "https://portal.invalid"


class URLRefused(ValueError):
    """WeasyPrint asked for something other than one of our static files."""


@dataclass(frozen=True, slots=True)
class YttrandePdfData:
    """Everything printed on the yttrande (plain values, no model instances)."""

    reference: str
    version: int
    person_name: str
    personnummer: str
    csn_reference: str
    education_name: str
    education_provider: str
    education_start: date
    education_weeks: int
    education_pace: int
    occupation: str
    target_occupation: str
    region: str
    shortage_occupation: bool
    labour_market_needs: str
    strengthens: bool
    reasons: str
    advisor_name: str
    issued_on: date
    organisation: str
    approved_by: str
    verification_code: str
    verification_path: str
    replaces_version: int | None = None


def _static_path(url: str) -> str | None:
    """The file on disk behind an internal static URL, or None."""
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
    """A WeasyPrint URL fetcher that serves the project's static files and refuses the rest.

    WeasyPrint turns a refusal into a warning and leaves the resource out; with
    `fail_on_errors=True` (used in the tests) a refusal stops the rendering instead.
    """

    def __init__(self, *, fail_on_errors: bool = False):
        # Not URLFetcher.__init__: it builds urllib handlers and an SSL context (about 90 ms per
        # render) for network access that this fetcher never does.
        OpenerDirector.__init__(self)
        self._timeout = 1
        self._http_headers = {}
        self._allowed_protocols = ()
        self._fail_on_errors = fail_on_errors
        self._request = None

    def fetch(self, url, headers=None):
        path = _static_path(url)
        if path is None:
            # The URL may be anything the template author wrote; it holds no personal data.
            logger.warning("yttrande PDF: refused to fetch %s", url[:200])
            raise URLRefused(f"only the portal's own static files may be loaded, not {url[:200]}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as fh:
            body = fh.read()
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


@cache
def font_config():
    """The process-wide FontConfiguration (creating one per render costs time and memory)."""
    return FontConfiguration()


@cache
def _stylesheet():
    """Our stylesheet, parsed once with the shared FontConfiguration (read through the fetcher)."""
    return CSS(
        url=f"{INTERNAL_ORIGIN}/{settings.STATIC_URL.strip('/')}/{STYLESHEET}",
        url_fetcher=StaticOnlyURLFetcher(fail_on_errors=True),
        font_config=font_config(),
    )


def render_html(data: YttrandePdfData) -> str:
    """The yttrande as HTML, always in Swedish (the language CSN reads)."""
    with translation.override("sv"):
        return render_to_string(TEMPLATE, {"y": data, "portal_name": getattr(settings, "PORTAL_NAME", "")})


def html_to_pdf(html: str, *, fail_on_errors: bool = False) -> bytes:
    """Render HTML written for the PDF to bytes with the shared fonts and stylesheet."""
    document = HTML(
        string=html,
        base_url=f"{INTERNAL_ORIGIN}/",
        url_fetcher=StaticOnlyURLFetcher(fail_on_errors=fail_on_errors),
    )
    return document.write_pdf(stylesheets=[_stylesheet()], font_config=font_config())


def render_yttrande_pdf(data: YttrandePdfData) -> bytes:
    return html_to_pdf(render_html(data))
