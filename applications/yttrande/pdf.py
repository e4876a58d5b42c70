"""The yttrande as a PDF: a Django template rendered by WeasyPrint.

Pure rendering, no database: `render_yttrande_pdf(YttrandePdfData(...)) -> bytes`. The caller
(services.document_render) stores the bytes once and never renders the same version again.

Speed and safety (performance target T4: p50 <= 300 ms, p95 <= 400 ms per 2-page yttrande):

* one `FontConfiguration` for the whole process, and the stylesheet parsed once with it;
* a lean stylesheet of our own (no CSS framework) and the system font DejaVu Sans (Debian
  fonts-dejavu-core), which has every Swedish glyph;
* no tables at all, so nothing can cross a page break badly;
* `StaticOnlyURLFetcher` (omstallning.core.pdf): the only resources WeasyPrint may load are the
  project's own static files; every other URL is refused and nothing is fetched from the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from omstallning.core import pdf as core_pdf

TEMPLATE = "yttrande/pdf/yttrande.html"
STYLESHEET = "yttrande/pdf.css"


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


def render_html(data: YttrandePdfData) -> str:
    """The yttrande as HTML, always in Swedish (the language CSN reads)."""
    with translation.override("sv"):
        return render_to_string(TEMPLATE, {"y": data, "portal_name": getattr(settings, "PORTAL_NAME", "")})


def html_to_pdf(html: str, *, fail_on_errors: bool = False) -> bytes:
    """Render HTML written for the yttrande to bytes with the shared fonts and its stylesheet."""
    return core_pdf.html_to_pdf(html, stylesheet=STYLESHEET, fail_on_errors=fail_on_errors)


def render_yttrande_pdf(data: YttrandePdfData) -> bytes:
    return html_to_pdf(render_html(data))
