"""The yttrande PDF: a real WeasyPrint render, its text extracted with pypdf."""

import datetime
import io
import socket

import pytest
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from applications.yttrande import pdf
from omstallning.core import pdf as core_pdf


def data(**overrides) -> pdf.YttrandePdfData:
    values = {
        "reference": "YTT-2026-000042",
        "version": 1,
        "person_name": "Åsa Öberg-Ängström",
        "personnummer": "19850820-2384",
        "csn_reference": "CSN-2026-98765",
        "education_name": "Undersköterska, vård och omsorg",
        "education_provider": "Komvux Göteborg",
        "education_start": datetime.date(2027, 1, 12),
        "education_weeks": 40,
        "education_pace": 75,
        "occupation": "Butikssäljare",
        "target_occupation": "Undersköterska",
        "region": "Västra Götaland",
        "shortage_occupation": True,
        "labour_market_needs": "Stor efterfrågan på undersköterskor i regionen.",
        "strengthens": True,
        "reasons": "Utbildningen leder till ett bristyrke; erfarenheten av kundmöten är värdefull.",
        "advisor_name": "Rasmus Rådgivare",
        "issued_on": datetime.date(2026, 11, 23),
        "organisation": "Den offentliga omställningsorganisationen",
        "approved_by": "Hanna Handläggare",
        "verification_code": "ABCD-EFGH-JKMN-PQRS-TVWX",
        "verification_path": "/verifiera/ABCD-EFGH-JKMN-PQRS-TVWX/",
    }
    values.update(overrides)
    return pdf.YttrandePdfData(**values)


def text_of(pdf_bytes: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    # Layout line breaks may fall anywhere: compare on single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_holds_the_yttrande_in_swedish_with_aao():
    content = pdf.render_yttrande_pdf(data())
    assert content.startswith(b"%PDF-")
    text = text_of(content)
    assert "YTT-2026-000042" in text
    assert "Åsa Öberg-Ängström" in text  # å, ä and ö come out right (DejaVu Sans)
    assert "19850820-2384" in text
    assert "CSN-2026-98765" in text
    assert "Undersköterska, vård och omsorg" in text
    assert "Komvux Göteborg" in text
    assert "Yttrande till CSN" in text
    assert "Utbildningen stärker personens framtida ställning på arbetsmarknaden" in text
    assert "Utbildningen leder till ett bristyrke" in text
    assert "Hanna Handläggare" in text
    assert "23 november 2026" in text
    assert "ABCD-EFGH-JKMN-PQRS-TVWX" in text
    assert "/verifiera/ABCD-EFGH-JKMN-PQRS-TVWX/" in text


def test_the_conclusion_does_not_strengthen_is_printed_as_such():
    text = text_of(pdf.render_yttrande_pdf(data(strengthens=False)))
    assert "Utbildningen stärker inte personens framtida ställning" in text


def test_a_correction_says_which_version_it_replaces():
    text = text_of(pdf.render_yttrande_pdf(data(version=2, replaces_version=1)))
    assert "ersätter version 1" in text


def test_the_font_is_dejavu_sans_embedded():
    reader = PdfReader(io.BytesIO(pdf.render_yttrande_pdf(data())))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any(f.endswith("+DejaVu-Sans") for f in fonts), fonts


def test_the_fetcher_serves_our_static_files_only():
    fetcher = core_pdf.StaticOnlyURLFetcher()
    response = fetcher.fetch(f"{core_pdf.INTERNAL_ORIGIN}/static/{pdf.STYLESHEET}")
    assert b"@page" in response.read()
    for url in [
        "https://example.com/logo.png",
        "http://127.0.0.1:8000/static/yttrande/pdf.css",
        "file:///etc/passwd",
        f"{core_pdf.INTERNAL_ORIGIN}/static/../../../etc/passwd",
        f"{core_pdf.INTERNAL_ORIGIN}/admin/",
        "data:text/css,body{}",
    ]:
        with pytest.raises(core_pdf.URLRefused):
            fetcher.fetch(url)


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network access in a PDF render")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_a_remote_url_in_the_template_is_refused_and_nothing_is_fetched(no_network):
    html = pdf.render_html(data()).replace(
        "</body>",
        '<img src="https://example.com/tracker.png"><link rel="stylesheet" href="http://example.com/x.css"></body>',
    )
    with pytest.raises(FatalURLFetchingError):
        pdf.html_to_pdf(html, fail_on_errors=True)
    # In normal mode the resource is left out, the PDF is still made, and no connection was tried.
    assert pdf.html_to_pdf(html).startswith(b"%PDF-")
    assert no_network == []
