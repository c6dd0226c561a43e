"""The signed act and the register of delegations, as A4 PDF made with WeasyPrint.

Only ``file:`` and ``data:`` resources are loaded: the ministry's servers have no internet
access and a PDF must make no request. Fonts are the system's DejaVu family.
"""

from __future__ import annotations

from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import SignatureItem
from .rules import signature_block

PDF_STYLESHEET = "delegations/pdf.css"


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    fonts = FontConfiguration()
    stylesheet_path = finders.find(PDF_STYLESHEET)
    if not stylesheet_path:
        raise FileNotFoundError(PDF_STYLESHEET)
    static_dir = Path(settings.BASE_DIR) / "static"
    document = HTML(string=html, base_url=static_dir.as_uri() + "/", url_fetcher=fetcher)
    stylesheet = CSS(filename=str(stylesheet_path), font_config=fonts, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def letterhead() -> dict:
    from cabinet.models import OrgUnit

    ministry = OrgUnit.objects.filter(kind=OrgUnit.Kind.MINISTRY, is_active=True).values_list("name", flat=True)
    return {
        "ministry": ministry.first() or _("Ministère des affaires étrangères"),
        "office": _("Cabinet du ministre"),
    }


def render_pdf(template_name: str, context: dict) -> bytes:
    context = {"letterhead": letterhead(), "printed_at": timezone.now(), **context}
    return html_to_pdf(render_to_string(template_name, context))


def signed_item_pdf(item: SignatureItem) -> bytes:
    """The act as signed: text, signature block (rules 7 and 9) and verification code.

    Always in French, the language of the ministry's acts: the PDF is made once, at signing,
    and kept; a signer whose interface is in English must not sign « For the Minister and by
    delegation »."""
    verify_url = f"{settings.CABINET_SITE_URL}{reverse('delegations:verify')}?code={item.verification_code}"
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(
            "delegations/pdf/signed_item.html",
            {
                "item": item,
                "sig": signature_block(item),
                "signed_local": timezone.localtime(item.signed_at),
                "verify_url": verify_url,
                "qr": segno.make(verify_url, error="m").svg_data_uri(scale=3, border=1),
            },
        )


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{slugify(filename) or 'document'}.pdf"
    response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
