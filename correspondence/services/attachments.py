"""Files of a mail, checked by content and size, with their SHA-256."""

from __future__ import annotations

from django.db import transaction

from ..files import check_upload, sanitise_name, sha256_of
from ..models import (
    Attachment,
    Imputation,
    Mail,
    MailEvent,
)
from ._common import _ensure_not_cancelled, _event


@transaction.atomic
def attachment_add(
    *, mail: Mail, uploaded_by, upload, kind: str = Attachment.Kind.SCAN, imputation: Imputation | None = None
) -> Attachment:
    """Store a file after checking what it really is and its size; keep its SHA-256."""
    _ensure_not_cancelled(mail)
    content_type = check_upload(upload)
    name = sanitise_name(upload.name)
    attachment = Attachment(
        mail=mail,
        imputation=imputation,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=uploaded_by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.full_clean()
    attachment.save()
    _event(
        mail,
        uploaded_by,
        MailEvent.Action.ATTACHMENT,
        imputation=imputation,
        text=f"{name} ({attachment.get_kind_display()})",
    )
    return attachment
