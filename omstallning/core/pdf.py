"""HTML to PDF with WeasyPrint, shared by the yttrande and the registry's decision letters.

* One `FontConfiguration` for the whole process, and each stylesheet parsed once with it.
* `StaticOnlyURLFetcher`: the only resources WeasyPrint may load are the project's own static
  files, read from disk through Django's staticfiles finders. Every other URL (http, https, ftp,
  file, data) is refused and nothing is fetched from the network.

Rendering only: who may read a document is decided by the app that serves it.
"""

from __future__ import annotations

import logging
import mimetypes
from functools import cache
from urllib.parse import unquote, urlsplit
from urllib.request import OpenerDirector

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# The fake origin that relative and static URLs in a PDF template resolve against. It is never
# contacted: the fetcher maps it to files on disk. `.invalid` can never resolve (RFC 2606).
INTERNAL_ORIGIN = "https://portal.invalid"


class URLRefused(ValueError):
    """WeasyPrint asked for something other than one of our static files."""


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
            logger.warning("PDF: refused to fetch %s", url[:200])
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
def _stylesheet(static_path: str):
    """A static stylesheet, parsed once with the shared FontConfiguration (read through the fetcher)."""
    return CSS(
        url=f"{INTERNAL_ORIGIN}/{settings.STATIC_URL.strip('/')}/{static_path}",
        url_fetcher=StaticOnlyURLFetcher(fail_on_errors=True),
        font_config=font_config(),
    )


def html_to_pdf(html: str, *, stylesheet: str, fail_on_errors: bool = False) -> bytes:
    """Render HTML written for a PDF to bytes with the shared fonts and the static `stylesheet`."""
    document = HTML(
        string=html,
        base_url=f"{INTERNAL_ORIGIN}/",
        url_fetcher=StaticOnlyURLFetcher(fail_on_errors=fail_on_errors),
    )
    return document.write_pdf(stylesheets=[_stylesheet(stylesheet)], font_config=font_config())
