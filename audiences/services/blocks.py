"""Blocks of the minister's time (travel, Conseil des ministres…): created, corrected, lifted,
each write recorded in the block's history in the same transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cabinet.history import shown

from ..models import Unavailability, UnavailabilityEvent
from ..roles import PROGRAMME
from ..scheduling import hold_slot, release_slot
from ._shared import _require

# A correction keeps the times in its event's own fields (shown « du … au … »), the rest of
# what changed as lines of its comment.
TIMES = ("starts_at", "ends_at")


@transaction.atomic
def unavailability_create(*, by, title: str, kind: str, starts_at, ends_at, note: str = "") -> Unavailability:
    """Block the minister's time (travel, Conseil des ministres…); any day or hour is allowed."""
    _require(by, PROGRAMME)
    block = Unavailability(title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note, created_by=by)
    block.full_clean()
    block.save()
    hold_slot(starts_at=starts_at, ends_at=ends_at, unavailability=block)
    _event(block, UnavailabilityEvent.Action.CREATED, by, new_starts_at=starts_at, new_ends_at=ends_at)
    return block


@transaction.atomic
def unavailability_lift(*, block: Unavailability, by) -> Unavailability:
    _require(by, PROGRAMME)
    block = Unavailability.objects.select_for_update().get(pk=block.pk)
    block.is_cancelled = True
    block.sequence += 1
    block.save(update_fields=["is_cancelled", "sequence"])
    release_slot(unavailability=block)
    # The times it freed: who freed which slot is what the attaché is asked.
    _event(block, UnavailabilityEvent.Action.LIFTED, by, old_starts_at=block.starts_at, old_ends_at=block.ends_at)
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
    times = {}
    if set(TIMES) & set(changed):
        times = {
            "old_starts_at": block.starts_at,
            "old_ends_at": block.ends_at,
            "new_starts_at": starts_at,
            "new_ends_at": ends_at,
        }
    lines = [_change_line(block, name, wanted[name]) for name in changed if name not in TIMES]
    for name in changed:
        setattr(block, name, wanted[name])
    block.full_clean()
    if times:
        hold_slot(starts_at=block.starts_at, ends_at=block.ends_at, unavailability=block)
    block.sequence += 1
    block.save(update_fields=[*changed, "sequence"])
    _event(block, UnavailabilityEvent.Action.UPDATED, by, "\n".join(lines), **times)
    return block, True


def _event(block: Unavailability, action: str, actor, comment: str = "", **times) -> UnavailabilityEvent:
    return UnavailabilityEvent.objects.create(block=block, action=action, actor=actor, comment=comment, **times)


def _change_line(block: Unavailability, name: str, new) -> str:
    """« Nature : Conseil des ministres → Voyage / mission », as an audience's history writes it."""
    old = getattr(block, name)
    if name == "kind":
        labels = dict(Unavailability.Kind.choices)
        old, new = labels.get(old, old), labels.get(new, new)
    return _("%(field)s : %(old)s → %(new)s") % {
        "field": capfirst(Unavailability._meta.get_field(name).verbose_name),
        "old": shown(old),
        "new": shown(new),
    }
