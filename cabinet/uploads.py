"""Uploaded files, for every app: what a file really is (by content, not by its name), how
big it may be, and a safe name to show. Each app decides which types it accepts."""

from __future__ import annotations

import logging
import os
import re
import unicodedata
import zipfile

import magic
from django.http import Http404

log = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

# Scans and office documents: the types the ministry exchanges.
DOCUMENT_TYPES = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", TIFF: ".tif", DOCX: ".docx", ODT: ".odt"}
# Shown in the browser; the others are downloaded.
PREVIEWABLE_TYPES = {PDF, JPEG, PNG}


def _zip_office_type(upload) -> str | None:
    """DOCX and ODT are zip archives that libmagic does not always tell apart."""
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
    """The MIME type of the file's bytes, whatever its name or declared type says."""
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


class StoredFileMissing(Http404):
    """A file the database names but the storage no longer holds (a restore of the database
    without its files, a disk fault). The person gets a page that says so (``error_404``)
    rather than a server error, and the operators an error in the log."""


def open_stored(field_file):
    """``field_file`` opened for reading, or ``StoredFileMissing``."""
    try:
        return field_file.open("rb")
    except FileNotFoundError:
        log.error("Fichier absent du stockage : %s", field_file.name)
        raise StoredFileMissing(field_file.name) from None
