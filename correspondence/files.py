"""Uploaded files: what they really are (by content, not by name), how big, how named."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cabinet.uploads import DOCX, JPEG, ODT, PDF, PNG, PREVIEWABLE_TYPES, TIFF, sanitise_name, sniff_content_type

ALLOWED_TYPES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", TIFF: "TIFF", DOCX: "DOCX", ODT: "ODT"}
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,.docx,.odt"
__all__ = ["PREVIEWABLE_TYPES", "sanitise_name", "sniff_content_type", "check_upload", "ACCEPT_ATTRIBUTE"]


def check_upload(upload) -> str:
    """Raise a French ValidationError unless the file is an accepted type within the size
    limit; return its real content type."""
    name = sanitise_name(getattr(upload, "name", ""))
    limit = settings.CABINET_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("« %(name)s » est trop volumineux (%(size)s) : la limite est de %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError(_("« %(name)s » est vide.") % {"name": name}, code="empty")
    content_type = sniff_content_type(upload)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _(
                "« %(name)s » n'est pas un document accepté (son contenu n'est ni PDF, JPEG, PNG, TIFF, "
                "DOCX ni ODT, quel que soit son nom)."
            )
            % {"name": name},
            code="bad_type",
        )
    return content_type


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
