"""Printed documents of the register, as A4 PDF made with WeasyPrint.

The HTML comes from templates under ``templates/correspondence/pdf/``; the stylesheet
``static/correspondence/pdf.css`` is read from the filesystem (never over HTTP) and
WeasyPrint may only load ``file:`` and ``data:`` resources: the ministry's servers have no
internet access, and a PDF must not make a request to anywhere. Fonts are the system's
DejaVu family.
"""

from __future__ import annotations

from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

PDF_STYLESHEET = "correspondence/pdf.css"


def _stylesheet_path() -> Path:
    found = finders.find(PDF_STYLESHEET)
    if not found:  # a deployment without the app's static files is broken, say so plainly
        raise FileNotFoundError(PDF_STYLESHEET)
    return Path(found)


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """HTML template → PDF bytes, laid out by ``pdf.css`` (A4; a template may ask for
    landscape with ``<body class="landscape">``)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, context, request=request)
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    fonts = FontConfiguration()
    static_dir = Path(settings.BASE_DIR) / "static"
    document = HTML(string=html, base_url=static_dir.as_uri() + "/", url_fetcher=fetcher)
    stylesheet = CSS(filename=str(_stylesheet_path()), font_config=fonts, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    """The PDF shown in the browser's viewer (or downloaded), never cached by a proxy."""
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{slugify(filename) or 'document'}.pdf"
    response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def qr_data_uri(text: str, *, scale: int = 4) -> str:
    """A QR code of ``text`` as an SVG data URI, for an ``<img>`` in a printed document."""
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)
