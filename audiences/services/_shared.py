"""What every write on an audience does: check the right again (a forged POST must record
nothing), lock the row, record the event in its history, notify; and the lost-update guard of
the forms that correct an audience."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cabinet.history import shown
from cabinet.roles import Role
from cabinet.selectors import holders_of
from cabinet.services import notification_create

from ..feeds import FEED_FIELDS, STATUS
from ..models import Audience, AudienceEvent
from ..selectors import sees_audience


# --- Rights checked again in the services (a forged POST must record nothing) --------------
def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _require_state(audience: Audience, *states: str) -> None:
    if audience.state not in states:
        raise ValidationError(
            _("Action impossible : l'audience est « %(state)s ».") % {"state": audience.get_state_display()},
            code="bad_state",
        )


def _lock(audience: Audience) -> Audience:
    return Audience.objects.select_for_update().get(pk=audience.pk)


# --- The calendar feed's revision -------------------------------------------------------------
# Phones and Outlook replace an event they hold only when its SEQUENCE rises: whatever changes
# what the feed shows of an audience in it (it has a time) raises ``sequence``.
def _raise_sequence_if_shown(audience: Audience, changed: list[str]) -> list[str]:
    """``changed``, with ``sequence`` raised and added if one of them is shown in the feed."""
    if audience.starts_at is not None and FEED_FIELDS.intersection(changed):
        audience.sequence += 1
        return [*changed, "sequence"]
    return changed


def _set_state(audience: Audience, state: str) -> list[str]:
    """Set the state; the fields to save, ``sequence`` raised if the feed's STATUS changes
    (a confirmation: TENTATIVE → CONFIRMED)."""
    shown = audience.starts_at is not None and STATUS.get(audience.state) != STATUS.get(state)
    audience.state = state
    if shown:
        audience.sequence += 1
        return ["state", "sequence"]
    return ["state"]


def _event(audience: Audience, kind: str, actor, comment: str = "", **times) -> AudienceEvent:
    return AudienceEvent.objects.create(audience=audience, kind=kind, actor=actor, comment=comment, **times)


# --- Notifications --------------------------------------------------------------------------
def _url(audience: Audience) -> str:
    return reverse("audiences:detail", args=[audience.pk])


def _when(audience: Audience) -> str:
    if not audience.starts_at:
        return ""
    start, end = timezone.localtime(audience.starts_at), timezone.localtime(audience.ends_at)
    return f"{date_format(start, 'l d/m/Y')} {start:%H:%M}–{end:%H:%M}"


def _cabinet_coordinators(exclude=None) -> list:
    people = {u.pk: u for role in (Role.ATTACHE, Role.CHEF_SP) for u in holders_of(role)}
    return [u for pk, u in people.items() if exclude is None or pk != exclude.pk]


def _protocol_people(audience: Audience) -> list:
    """Protocol agents who see this audience (a confidential one: only those given access)."""
    return [u for u in holders_of(Role.PROTOCOLE) if sees_audience(u, audience)]


def _notify(people: Iterable, audience: Audience, subject: str, body: str = "") -> None:
    for person in people:
        notification_create(recipient=person, subject=subject, body=body, url=_url(audience))


# --- History and the lost-update guard ------------------------------------------------------
def last_event(audience: Audience) -> int | None:
    """The id of the audience's last event: what a form remembers of the state it showed."""
    return audience.events.order_by("-id").values_list("id", flat=True).first()


class ChangedMeanwhile(ValidationError):
    """The audience changed since the form was opened; ``event_id`` is its last event now."""

    def __init__(self, message: str, *, event_id: int | None):
        super().__init__(message)
        self.event_id = event_id


def _refuse_if_changed_meanwhile(audience: Audience, seen_event: int | None, message: str) -> None:
    """A form opened before another change (a colleague's correction, a move, a confirmation)
    would silently undo it: refused, the newest change named in ``message`` (``%(what)s``,
    ``%(who)s``, ``%(when)s``), no lost update. Called under the audience's row lock; a caller
    that passes no ``seen_event`` (not a form) is not checked."""
    if seen_event is None:
        return
    latest = audience.events.select_related("actor").order_by("-id").first()
    if latest is not None and latest.pk != seen_event:
        raise ChangedMeanwhile(
            message
            % {
                "what": latest.get_kind_display().lower(),
                "who": latest.actor.display_name,
                "when": date_format(timezone.localtime(latest.at), "d/m/Y H:i"),
            },
            event_id=latest.pk,
        )


def _locked_for_correction(
    audience: Audience, *, actor, right: str, require, seen_event: int | None, changed_meanwhile: str
) -> Audience:
    """The audience, locked, for ``actor`` to correct from a form: ``right`` held, the state
    ``require`` asks, and no change since the form showed ``seen_event``
    (``_refuse_if_changed_meanwhile``, with ``changed_meanwhile`` as its message)."""
    _require(actor, right)
    audience = _lock(audience)
    require(audience)
    _refuse_if_changed_meanwhile(audience, seen_event, changed_meanwhile)
    return audience


def _change_line(audience: Audience, name: str, new) -> str:
    """« Période souhaitée (début) : 10/03/2026 → 12/03/2026 », for the history."""
    label = capfirst(Audience._meta.get_field(name).verbose_name)
    return _("%(field)s : %(old)s → %(new)s") % {
        "field": label,
        "old": shown(getattr(audience, name)),
        "new": shown(new),
    }
