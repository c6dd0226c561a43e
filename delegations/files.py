"""Uploaded files of the delegations app: content-checked, kept in the private storage and
served only by views that check who asks."""

from __future__ import annotations

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

# What a scanned arrêté, a letter's attachment or an execution report may be.
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}


def validate_scan(upload) -> None:
    """Check the bytes, not the name: a renamed executable is refused."""
    if upload is None:
        return
    size = getattr(upload, "size", 0) or 0
    if size > settings.CABINET_UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("Fichier trop volumineux (%(size)s Mo au plus).")
            % {"size": settings.CABINET_UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if getattr(upload, "_committed", False):
        return  # already stored and checked
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(position)
    kind = magic.from_buffer(head, mime=True)
    if kind not in ALLOWED_TYPES:
        raise ValidationError(_("Format refusé : seuls les fichiers PDF, PNG et JPEG sont acceptés."))


def private_file_response(field_file, *, download_name: str) -> FileResponse:
    """A stored file, sent to a person the view has already authorised."""
    kind = magic.from_buffer(field_file.open("rb").read(4096), mime=True)
    field_file.seek(0)
    extension = ALLOWED_TYPES.get(kind, "")
    response = FileResponse(
        field_file.open("rb"),
        content_type=kind if kind in ALLOWED_TYPES else "application/octet-stream",
        as_attachment=kind not in ALLOWED_TYPES,
        filename=f"{download_name}{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
