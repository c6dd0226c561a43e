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
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

PDF_STYLESHEET = "correspondence/pdf.css"


def _stylesheet_path() -> Path:
    found = finders.find(PDF_STYLESHEET)
    if not found:  # a deployment without the app's static files is broken, say so plainly
        raise FileNotFoundError(PDF_STYLESHEET)
    return Path(found)


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Template → PDF bytes, laid out by ``pdf.css`` (A4; a template may ask for landscape
    with ``<body class="landscape">``). The context gets the letterhead and the print time."""
    context = {"letterhead": letterhead(), "printed_at": timezone.now(), **context}
    if request is not None:
        context.setdefault("printed_by", request.user)
    return html_to_pdf(render_to_string(template_name, context, request=request))


def register_pdf(*, rows: list, register: str, start, end, printed_by=None, request=None) -> bytes:
    """The register of a period (landscape), its rows given in number order."""
    from .models import Register

    context = {
        "rows": rows,
        "register": register,
        "register_label": Register(register).label,
        "start": start,
        "end": end,
        "is_incoming": register == Register.ARRIVEE,
    }
    if printed_by is not None:
        context["printed_by"] = printed_by
    return render_pdf("correspondence/pdf/register.html", context, request=request)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    # Only local files and data: URIs; an http(s) link in a template is refused, not fetched.
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    fonts = FontConfiguration()
    static_dir = Path(settings.BASE_DIR) / "static"
    document = HTML(string=html, base_url=static_dir.as_uri() + "/", url_fetcher=fetcher)
    stylesheet = CSS(filename=str(_stylesheet_path()), font_config=fonts, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def letterhead() -> dict:
    """The header of every printed document: the ministry (from the organisation, when it
    is recorded) and the cabinet."""
    from cabinet.models import OrgUnit

    ministry = OrgUnit.objects.filter(kind=OrgUnit.Kind.MINISTRY, is_active=True).values_list("name", flat=True)
    return {
        "ministry": ministry.first() or _("Ministère des affaires étrangères"),
        "office": _("Cabinet du ministre"),
        "acronym": settings.CABINET_MINISTRY_ACRONYM,
    }


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    """The PDF shown in the browser's viewer (or downloaded), never cached by a proxy."""
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{slugify(filename) or 'document'}.pdf"
    response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


QR_SCALE = 8


def qr_data_uri(text: str, *, scale: int = QR_SCALE) -> str:
    """A QR code of ``text`` as a PNG data URI, for an ``<img>`` in a printed document
    (a bitmap is embedded as such in the PDF; scale 8 keeps it sharp at 28 mm)."""
    return segno.make(text, error="m").png_data_uri(scale=scale, border=2)
