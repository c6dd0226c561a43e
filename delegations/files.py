"""Uploaded files of the delegations app: content-checked, kept in the private storage and
served only by views that check who asks."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from cabinet.holding import HoldingArea
from cabinet.uploads import DOCX, JPEG, ODT, PDF, PNG, TIFF, open_stored, sanitise_name, sniff_content_type

# A scanned arrêté: an image or a PDF.
SCAN_TYPES = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}
# A letter's attachment or an execution report may also be the draft as a text document.
DOCUMENT_TYPES = {**SCAN_TYPES, TIFF: ".tif", DOCX: ".docx", ODT: ".odt"}
# Shown in the browser; the others are downloaded.
INLINE_TYPES = set(SCAN_TYPES)
# The scans and attachments of a form that came back with an error, kept for its next
# submission (cabinet.holding); purged nightly by tasks.purge_held_uploads.
HELD_FILES = HoldingArea(folder="delegations/holding", salt="delegations.held-files")


def content_type_of(upload) -> str:
    """What the bytes are, whatever the name says."""
    return sniff_content_type(upload)


def _check(upload, allowed: dict[str, str], message) -> None:
    if upload is None or getattr(upload, "_committed", False):
        return  # nothing new, or already stored and checked
    size = getattr(upload, "size", 0) or 0
    if size > settings.CABINET_UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("Fichier trop volumineux (%(size)s Mo au plus).")
            % {"size": settings.CABINET_UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise ValidationError(_("Le fichier est vide."))
    if content_type_of(upload) not in allowed:
        raise ValidationError(message)


def validate_scan(upload) -> None:
    """A scanned arrêté: PDF, PNG or JPEG by content (a renamed executable is refused)."""
    _check(upload, SCAN_TYPES, _("Format refusé : seuls les fichiers PDF, PNG et JPEG sont acceptés."))


def validate_document(upload) -> None:
    """An attachment: PDF, PNG, JPEG, TIFF, DOCX or ODT by content."""
    _check(
        upload,
        DOCUMENT_TYPES,
        _("Format refusé : seuls les fichiers PDF, PNG, JPEG, TIFF, DOCX et ODT sont acceptés."),
    )


def attach_file(instance, field: str, upload) -> None:
    """``upload`` in ``instance``'s file ``field``, with its name as chosen and its size in
    ``<field>_name`` and ``<field>_size``, shown on its page: the stored name is not the
    person's (random prefix, storage's spelling)."""
    setattr(instance, field, upload)
    setattr(instance, f"{field}_name", sanitise_name(upload.name)[:255])
    setattr(instance, f"{field}_size", upload.size)


def chosen_stem(chosen: str, fallback: str) -> str:
    """The download's name: the file's name as chosen, kept by ``attach_file``, without its
    extension (``private_file_response`` gives the one of the content it sent), else
    ``fallback`` (files stored before the name was kept and never backfilled)."""
    stem = chosen.rsplit(".", 1)[0] if "." in chosen else chosen
    return stem.strip() or fallback


def private_file_response(field_file, *, download_name: str) -> FileResponse:
    """A stored file, sent to a person the view has already authorised."""
    handle = open_stored(field_file)
    kind = content_type_of(handle)
    known = kind in DOCUMENT_TYPES
    response = FileResponse(
        handle,
        content_type=kind if known else "application/octet-stream",
        as_attachment=kind not in INLINE_TYPES,
        filename=f"{download_name}{DOCUMENT_TYPES.get(kind, '')}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
