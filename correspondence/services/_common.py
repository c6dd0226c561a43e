"""Helpers shared by the register's services: the timeline, state changes, search text,
rights on one mail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Mail,
    MailEvent,
    MailUserObjectPermission,
    Register,
)


def search_vector_of(text: str) -> SearchVector | None:
    """The full-text vector of ``text`` as an SQL expression, to be written in the same
    statement as the text itself (PostgreSQL; None elsewhere, where search reads the text)."""
    if not settings.IS_POSTGRES:
        return None
    return SearchVector(Value(text), config="french_unaccent")


def _write_search(mail: Mail, extra: list[str]) -> None:
    """Rebuild a registered mail's search text and write it with its vector: one UPDATE."""
    mail.search_text = mail.build_search_text(extra)
    fields = {"search_text": mail.search_text}
    vector = search_vector_of(mail.search_text)
    if vector is not None:
        fields["search_vector"] = vector
    Mail.objects.filter(pk=mail.pk).update(**fields)


def _refresh_search(mail: Mail) -> None:
    _write_search(mail, [c.name for c in mail.recipients.all()] if mail.register == Register.DEPART else [])


def _event(mail: Mail, actor, action: str, *, imputation=None, changes=None, text: str = "") -> MailEvent:
    return MailEvent.objects.create(
        mail=mail, actor=actor, action=action, imputation=imputation, changes=changes or {}, text=text
    )


def _set_state(mail: Mail, actor, state: str, *, text: str = "") -> None:
    if mail.state == state:
        return
    before = mail.get_state_display()
    mail.state = state
    mail.state_changed_at = timezone.now()
    mail.save(update_fields=["state", "state_changed_at"])
    _event(
        mail,
        actor,
        MailEvent.Action.STATE,
        changes={str(_("État")): [str(before), str(mail.get_state_display())]},
        text=text,
    )


def _ensure_not_cancelled(mail: Mail) -> None:
    if mail.is_cancelled:
        raise ValidationError(_("Ce courrier est annulé : aucune action n'est plus possible."))


def _grant_view(mail: Mail, user) -> None:
    permission = Permission.objects.get(content_type__app_label="correspondence", codename="view_mail")
    MailUserObjectPermission.objects.get_or_create(user=user, permission=permission, content_object=mail)
