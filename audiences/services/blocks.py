"""Blocks of the minister's time (travel, Conseil des ministres…): created, corrected, lifted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Unavailability
from ..roles import PROGRAMME
from ..scheduling import hold_slot, release_slot
from ._shared import _require


@transaction.atomic
def unavailability_create(*, by, title: str, kind: str, starts_at, ends_at, note: str = "") -> Unavailability:
    """Block the minister's time (travel, Conseil des ministres…); any day or hour is allowed."""
    _require(by, PROGRAMME)
    block = Unavailability(title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note, created_by=by)
    block.full_clean()
    block.save()
    hold_slot(starts_at=starts_at, ends_at=ends_at, unavailability=block)
    return block


@transaction.atomic
def unavailability_lift(*, block: Unavailability, by) -> Unavailability:
    _require(by, PROGRAMME)
    block = Unavailability.objects.select_for_update().get(pk=block.pk)
    block.is_cancelled = True
    block.sequence += 1
    block.save(update_fields=["is_cancelled", "sequence"])
    release_slot(unavailability=block)
    return block


def require_block_active(block: Unavailability) -> None:
    """A lifted block is history (the feed shows it cancelled): it is no longer corrected."""
    if block.is_cancelled:
        raise ValidationError(
            _("Cette indisponibilité a été levée : elle ne se modifie plus. Bloquez un nouveau créneau si besoin."),
            code="lifted",
        )


@transaction.atomic
def unavailability_update(
    *, by, block: Unavailability, title: str, kind: str, starts_at, ends_at, note: str = ""
) -> tuple[Unavailability, bool]:
    """Correct a block (the Conseil des ministres moved by an hour) instead of lifting and
    re-creating it: its slot moves under the same rules as creation, and the feed sees a new
    revision of the same event. Returns the block and whether anything changed; nothing
    changed, nothing written."""
    _require(by, PROGRAMME)
    block = Unavailability.objects.select_for_update().get(pk=block.pk)
    require_block_active(block)
    wanted = {"title": title, "kind": kind, "starts_at": starts_at, "ends_at": ends_at, "note": note}
    changed = [name for name, value in wanted.items() if getattr(block, name) != value]
    if not changed:
        return block, False
    for name in changed:
        setattr(block, name, wanted[name])
    block.full_clean()
    if {"starts_at", "ends_at"} & set(changed):
        hold_slot(starts_at=block.starts_at, ends_at=block.ends_at, unavailability=block)
    block.sequence += 1
    block.save(update_fields=[*changed, "sequence"])
    return block, True
