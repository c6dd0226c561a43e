"""The link with the signature book (delegations app): a draft reply goes to the parapheur."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Attachment,
    Imputation,
    MailEvent,
)
from ._common import _ensure_not_cancelled, _event


@transaction.atomic
def draft_reply_submit(
    *, imputation: Imputation, actor, attachment: Attachment, category, title: str, body: str, source_url: str
):
    """Put an assignee's draft reply in the minister's signature book (delegations app);
    the mail's timeline records it. Returns the signature item."""
    from delegations.services import signature_item_submit

    mail = imputation.mail
    _ensure_not_cancelled(mail)
    if attachment.imputation_id != imputation.pk or attachment.kind != Attachment.Kind.DRAFT_REPLY:
        raise ValidationError({"attachment": _("Choisissez un projet de réponse de cette imputation.")})
    with attachment.file.open("rb") as handle:
        document = ContentFile(handle.read(), name=attachment.original_name)
    item = signature_item_submit(
        drafter=actor,
        category=category,
        title=title,
        body=body,
        document=document,
        source_label=_("Courrier %(ref)s") % {"ref": mail.reference},
        source_url=source_url,
    )
    _event(
        mail,
        actor,
        MailEvent.Action.SIGNATURE_BOOK,
        imputation=imputation,
        text=_("Projet « %(name)s » soumis au parapheur : %(title)s")
        % {"name": attachment.original_name, "title": item.title},
    )
    return item
