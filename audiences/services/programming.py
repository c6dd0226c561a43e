"""The audience in the minister's agenda: programmed, moved, confirmed by the protocol (or a
change asked), cancelled or postponed, held."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import PROTOCOL_FIELDS, SCHEDULED_STATES, Audience, AudienceEvent, AudienceState, Place
from ..roles import CONFIRM, PROGRAMME
from ..scheduling import check_time, hold_slot, release_slot
from ._shared import (
    _cabinet_coordinators,
    _event,
    _lock,
    _notify,
    _protocol_people,
    _require,
    _require_state,
    _set_state,
    _when,
)

State = AudienceState


# --- The agenda -----------------------------------------------------------------------------
@transaction.atomic
def audience_programme(
    *,
    audience: Audience,
    by,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: Place,
    attendees: Iterable = (),
    confirm_warnings: bool = False,
    **protocol,
) -> Audience:
    """Set the audience in the minister's agenda; the protocol is asked to confirm it."""
    _require(by, PROGRAMME)
    audience = _lock(audience)
    _require_state(audience, State.RECEIVED, State.STUDY, State.ACCEPTED, State.POSTPONED)
    confirmed = check_time(starts_at, ends_at, confirm_warnings=confirm_warnings)
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": _("On ne programme pas une audience dans le passé.")})
    audience.starts_at, audience.ends_at, audience.place = starts_at, ends_at, place
    for name in PROTOCOL_FIELDS:
        if name in protocol:
            setattr(audience, name, protocol[name])
    was_programmed = audience.programmed_at is not None
    audience.state = State.PROGRAMMED
    audience.programmed_at = timezone.now()
    audience.confirmed_at = audience.confirmed_by = audience.protocol_reminded_at = None
    if was_programmed:
        audience.sequence += 1
    audience.full_clean()
    audience.save()
    audience.attendees.set(attendees)
    hold_slot(starts_at=starts_at, ends_at=ends_at, audience=audience)
    _event(audience, AudienceEvent.Kind.PROGRAMMED, by, confirmed, new_starts_at=starts_at, new_ends_at=ends_at)
    _notify(
        _protocol_people(audience),
        audience,
        _("Audience à confirmer : %(who)s, %(when)s") % {"who": audience.requester_label, "when": _when(audience)},
        audience.purpose,
    )
    return audience


@transaction.atomic
def audience_move(
    *,
    audience: Audience,
    by,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
    place: Place | None = None,
    confirm_warnings: bool = False,
) -> Audience:
    """Move a programmed or confirmed audience: the history keeps who moved it, from when to
    when and why; the protocol must confirm again; calendar clients see a new SEQUENCE."""
    _require(by, PROGRAMME)
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du déplacement.")})
    audience = _lock(audience)
    _require_state(audience, *SCHEDULED_STATES)
    confirmed = check_time(starts_at, ends_at, confirm_warnings=confirm_warnings)
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": _("On ne déplace pas une audience dans le passé.")})
    old_start, old_end = audience.starts_at, audience.ends_at
    audience.starts_at, audience.ends_at = starts_at, ends_at
    if place is not None:
        audience.place = place
    audience.state = State.PROGRAMMED
    audience.confirmed_at = audience.confirmed_by = audience.protocol_reminded_at = None
    audience.sequence += 1
    audience.full_clean()
    audience.save()
    hold_slot(starts_at=starts_at, ends_at=ends_at, audience=audience)
    _event(
        audience,
        AudienceEvent.Kind.MOVED,
        by,
        f"{reason.strip()} {confirmed}".strip(),
        old_starts_at=old_start,
        old_ends_at=old_end,
        new_starts_at=starts_at,
        new_ends_at=ends_at,
    )
    _notify(
        _protocol_people(audience),
        audience,
        _("Audience déplacée, à confirmer de nouveau : %(who)s, %(when)s")
        % {"who": audience.requester_label, "when": _when(audience)},
        reason.strip(),
    )
    return audience


@transaction.atomic
def audience_confirm(*, audience: Audience, by) -> Audience:
    """The protocol confirms it has the audience in hand (reception, interpreters…)."""
    _require(by, CONFIRM)
    audience = _lock(audience)
    _require_state(audience, State.PROGRAMMED)
    changed = _set_state(audience, State.CONFIRMED)
    audience.confirmed_at = timezone.now()
    audience.confirmed_by = by
    audience.save(update_fields=[*changed, "confirmed_at", "confirmed_by"])
    _event(audience, AudienceEvent.Kind.CONFIRMED, by)
    _notify(
        _cabinet_coordinators(),
        audience,
        _("Audience confirmée par le protocole : %(who)s, %(when)s")
        % {"who": audience.requester_label, "when": _when(audience)},
    )
    return audience


@transaction.atomic
def audience_ask_change(*, audience: Audience, by, comment: str) -> Audience:
    """The protocol cannot confirm as programmed and says why; the cabinet moves or cancels."""
    _require(by, CONFIRM)
    if not comment.strip():
        raise ValidationError({"comment": _("Indiquez le changement demandé.")})
    audience = _lock(audience)
    _require_state(audience, *SCHEDULED_STATES)
    _event(audience, AudienceEvent.Kind.CHANGE_ASKED, by, comment.strip())
    _notify(
        _cabinet_coordinators(),
        audience,
        _("Le protocole demande un changement : %(who)s, %(when)s")
        % {"who": audience.requester_label, "when": _when(audience)},
        comment.strip(),
    )
    return audience


@transaction.atomic
def audience_cancel(*, audience: Audience, by, reason: str, postpone: bool = False) -> Audience:
    """Cancel (or postpone, to programme again later) with a reason; the time is freed."""
    _require(by, PROGRAMME)
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif.")})
    audience = _lock(audience)
    _require_state(audience, State.RECEIVED, State.STUDY, State.ACCEPTED, *SCHEDULED_STATES)
    was_scheduled = audience.is_scheduled
    protocol = _protocol_people(audience) if was_scheduled else []
    audience.state = State.POSTPONED if postpone else State.CANCELLED
    audience.cancel_reason = reason.strip()
    if was_scheduled:
        audience.sequence += 1
    audience.save(update_fields=["state", "cancel_reason", "sequence"])
    release_slot(audience=audience)
    kind = AudienceEvent.Kind.POSTPONED if postpone else AudienceEvent.Kind.CANCELLED
    _event(audience, kind, by, reason.strip())
    if was_scheduled:
        subject = _("Audience reportée : %(who)s, %(when)s") if postpone else _("Audience annulée : %(who)s, %(when)s")
        _notify(
            [*protocol, *_cabinet_coordinators(exclude=by)],
            audience,
            subject % {"who": audience.requester_label, "when": _when(audience)},
            reason.strip(),
        )
    return audience


@transaction.atomic
def audience_mark_held(*, audience: Audience, by) -> Audience:
    _require(by, PROGRAMME)
    audience = _lock(audience)
    _require_state(audience, *SCHEDULED_STATES)
    if audience.starts_at > timezone.now():
        raise ValidationError(_("Une audience ne peut être marquée tenue qu'après son début."))
    audience.save(update_fields=_set_state(audience, State.HELD))
    _event(audience, AudienceEvent.Kind.HELD, by)
    return audience
