"""The programme du jour as an A4 PDF (WeasyPrint): system fonts, no network access; the
stylesheet is read from the filesystem and only ``file:``/``data:`` URLs may be loaded."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STYLESHEET = "audiences/programme.css"


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    fonts = FontConfiguration()
    css_path = finders.find(STYLESHEET)
    if not css_path:
        raise FileNotFoundError(STYLESHEET)
    document = HTML(string=html, base_url=Path(css_path).parent.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[CSS(filename=css_path, font_config=fonts)], font_config=fonts)


def programme_pdf(context: dict, *, request=None) -> bytes:
    return html_to_pdf(render_to_string("audiences/programme_pdf.html", context, request=request))
