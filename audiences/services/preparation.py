"""What is prepared for a programmed audience besides its time and place: the cabinet's
participants and the protocol's needs (« Modifier la préparation »), and who else may see it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.shortcuts import assign_perm

from cabinet.services import notification_create

from ..models import PROTOCOL_FIELDS, Audience, AudienceEvent, AudienceState
from ..roles import PROGRAMME
from ..selectors import VIEW_CODENAME, sees_audience
from ._shared import (
    _cabinet_coordinators,
    _change_line,
    _event,
    _locked_for_correction,
    _notify,
    _protocol_people,
    _require,
    _url,
    _when,
)

State = AudienceState


# --- The preparation of a programmed audience (« Modifier la préparation ») -----------------
def require_preparable(audience: Audience) -> None:
    """Only an audience in the agenda and still ahead has a preparation to change: before it is
    programmed, « Programmer » chooses it; held, cancelled, refused or past, it is history."""
    if audience.state in (State.RECEIVED, State.STUDY, State.ACCEPTED, State.POSTPONED):
        raise ValidationError(
            _(
                "L'audience n'est pas à l'agenda : les participants du cabinet et les besoins du protocole "
                "se choisissent en la programmant."
            ),
            code="bad_state",
        )
    if not audience.is_scheduled:
        raise ValidationError(
            _(
                "L'audience est « %(state)s » : ses participants du cabinet et les besoins du protocole "
                "ne se modifient plus."
            )
            % {"state": audience.get_state_display()},
            code="bad_state",
        )
    if audience.starts_at <= timezone.now():
        raise ValidationError(
            _(
                "L'audience du %(when)s est passée : ses participants du cabinet et les besoins du protocole "
                "ne se modifient plus."
            )
            % {"when": _when(audience)},
            code="past",
        )


@transaction.atomic
def audience_preparation_update(
    *,
    actor,
    audience: Audience,
    attendees: Iterable | None = None,
    seen_event: int | None = None,
    **needs,
) -> tuple[Audience, bool]:
    """Change what is prepared for a programmed audience — the cabinet's participants and the
    protocol's needs (interpreter, press, gifts, security, vehicles, notes) — without touching
    its time or place (``audience_move``).

    ``needs`` are among ``PROTOCOL_FIELDS``; those not given are kept. ``attendees``, when
    given, replaces the cabinet's participants; None keeps them. A confirmed audience stays
    confirmed: the protocol is told and may ask a change. The feed's SEQUENCE is not raised:
    the feed shows neither needs nor participants (a participant added or removed sees the
    audience appear in or leave their own feed). Returns the audience and whether anything
    changed (nothing is recorded when nothing did).
    """
    unknown = set(needs) - set(PROTOCOL_FIELDS)
    if unknown:
        raise TypeError(f"audience_preparation_update: unknown fields {sorted(unknown)}")
    audience = _locked_for_correction(
        audience,
        actor=actor,
        right=PROGRAMME,
        require=require_preparable,
        seen_event=seen_event,
        changed_meanwhile=_(
            "L'audience a été modifiée depuis que vous avez ouvert ce formulaire (%(what)s, par %(who)s, "
            "le %(when)s) : rien n'a été enregistré. Vérifiez la fiche, puis enregistrez de nouveau pour "
            "confirmer vos valeurs."
        ),
    )

    before = {user.pk: user for user in audience.attendees.all()}
    after = before if attendees is None else {user.pk: user for user in attendees}
    added = sorted((user for pk, user in after.items() if pk not in before), key=_by_name)
    removed = sorted((user for pk, user in before.items() if pk not in after), key=_by_name)
    changed = [name for name in PROTOCOL_FIELDS if name in needs and getattr(audience, name) != needs[name]]
    if not changed and not added and not removed:
        return audience, False

    lines = [_change_line(audience, name, needs[name]) for name in changed]
    lines += _attendee_lines(added, removed)
    # Those removed who saw the audience (as participants) hear of it, even if they no longer may.
    told_removed = [user for user in removed if sees_audience(user, audience)]
    for name in changed:
        setattr(audience, name, needs[name])
    audience.full_clean()
    if changed:
        audience.save(update_fields=changed)
    audience.attendees.remove(*removed)
    audience.attendees.add(*added)
    summary = "\n".join(lines)
    _event(audience, AudienceEvent.Kind.PREPARATION, actor, summary)
    _notify_preparation(audience, actor=actor, summary=summary, added=added, removed=told_removed)
    return audience, True


def _by_name(user) -> tuple:
    return (user.last_name, user.first_name, user.username)


def _attendee_lines(added: list, removed: list) -> list[str]:
    lines = []
    if added:
        names = ", ".join(user.display_name for user in added)
        lines.append(
            ngettext(
                "Participant du cabinet ajouté : %(names)s", "Participants du cabinet ajoutés : %(names)s", len(added)
            )
            % {"names": names}
        )
    if removed:
        names = ", ".join(user.display_name for user in removed)
        lines.append(
            ngettext(
                "Participant du cabinet retiré : %(names)s", "Participants du cabinet retirés : %(names)s", len(removed)
            )
            % {"names": names}
        )
    return lines


def _notify_preparation(audience: Audience, *, actor, summary: str, added: list, removed: list) -> None:
    """The protocol and the other coordinators get what changed; a participant added is told he
    attends (if he may see the audience: a confidential one needs access given), one removed
    that he no longer does (the link only if he still sees it). One notice each."""
    values = {"who": audience.requester_label, "when": _when(audience)}
    told = {actor.pk}
    for user in added:
        if user.pk not in told and sees_audience(user, audience):
            notification_create(
                recipient=user,
                subject=_("Vous participez à l'audience : %(who)s, %(when)s") % values,
                body=audience.purpose,
                url=_url(audience),
            )
            told.add(user.pk)
    for user in removed:
        if user.pk not in told:
            notification_create(
                recipient=user,
                subject=_("Vous ne participez plus à l'audience : %(who)s, %(when)s") % values,
                url=_url(audience) if sees_audience(user, audience) else "",
            )
            told.add(user.pk)
    others = {user.pk: user for user in [*_protocol_people(audience), *_cabinet_coordinators()] if user.pk not in told}
    _notify(others.values(), audience, _("Préparation de l'audience modifiée : %(who)s, %(when)s") % values, summary)


@transaction.atomic
def audience_grant_access(*, audience: Audience, by, user) -> None:
    """Let a named person see this audience (typically the protocol agent who prepares a
    confidential one)."""
    _require(by, PROGRAMME)
    assign_perm(f"audiences.{VIEW_CODENAME}", user, audience)
    _event(audience, AudienceEvent.Kind.GRANTED, by, str(user))
    notification_create(
        recipient=user,
        subject=_("Accès à l'audience : %(who)s") % {"who": audience.requester_label},
        url=_url(audience),
    )
