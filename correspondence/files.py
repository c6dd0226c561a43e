"""Uploaded files: what they really are (by content, not by name), how big, how named."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import zipfile

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

ALLOWED_TYPES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", TIFF: "TIFF", DOCX: "DOCX", ODT: "ODT"}
PREVIEWABLE_TYPES = {PDF, JPEG, PNG}
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,.docx,.odt"


def _zip_office_type(upload) -> str | None:
    """DOCX and ODT are zip archives; libmagic does not always tell them apart."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    finally:
        upload.seek(0)
    return None


def sniff_content_type(upload) -> str:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    detected = magic.from_buffer(head, mime=True)
    if detected in ("application/zip", "application/octet-stream", DOCX, ODT):
        return _zip_office_type(upload) or detected
    return detected


def sanitise_name(name: str) -> str:
    """A safe display/download name: no path, no control characters, reasonable length."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f<>:\"/\\|?*]", "_", name).strip(" .")
    if not name:
        name = "document"
    stem, ext = os.path.splitext(name)
    return stem[: 180 - len(ext[:20])] + ext[:20]


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
