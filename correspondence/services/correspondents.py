"""The directory of correspondents: creation, correction, merge of duplicates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cabinet.registry import correspondent_merged, correspondent_renamed

from ..models import (
    Correspondent,
    Mail,
)
from ._common import _write_search


@transaction.atomic
def correspondent_create(*, name: str, kind: str = Correspondent.Kind.OTHER, **fields) -> Correspondent:
    correspondent = Correspondent(name=(name or "").strip(), kind=kind, **fields)
    correspondent.full_clean()
    correspondent.save()
    return correspondent


@transaction.atomic
def correspondent_update(*, correspondent: Correspondent, **fields) -> Correspondent:
    shown = str(correspondent)
    for name, value in fields.items():
        setattr(correspondent, name, value)
    correspondent.full_clean()
    correspondent.save()
    if str(correspondent) != shown:
        correspondent_renamed(correspondent)  # shown elsewhere under its old name (calendar feed)
    return correspondent


def require_mergeable(*, duplicate: Correspondent, into: Correspondent) -> None:
    """Refuse a merge into itself or into an entry itself merged (``into``'s error): the
    directory's page and the administration check it before merging."""
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("Un correspondant ne peut pas être fusionné avec lui-même.")})
    if into.merged_into_id:
        raise ValidationError({"into": _("Ce correspondant a lui-même été fusionné dans un autre.")})


@transaction.atomic
def correspondent_merge(*, duplicate: Correspondent, into: Correspondent, actor) -> Correspondent:
    """Merge a duplicate: its letters now point to ``into``; it stays (hidden) for history."""
    require_mergeable(duplicate=duplicate, into=into)
    # The chain hash covers correspondent_id: registered letters keep pointing to the
    # duplicate (which redirects), new letters can only pick the surviving entry.
    duplicate.merged_into = into
    duplicate.is_active = False
    duplicate.save(update_fields=["merged_into", "is_active"])
    # What no hash covers follows the survivor, in this transaction (an audience's requester,
    # with its history): the other apps are told, this one knowing nothing of them. Told
    # before the entries merged into the duplicate earlier are re-pointed: they are found
    # through it.
    correspondent_merged(duplicate, into, actor)
    Correspondent.objects.filter(merged_into=duplicate).update(merged_into=into)
    for mail in Mail.objects.filter(correspondent=duplicate).select_related("correspondent").iterator():
        _refresh_search_with_alias(mail, into)
    return into


def _refresh_search_with_alias(mail: Mail, into: Correspondent) -> None:
    _write_search(mail, [into.name, into.acronym])
