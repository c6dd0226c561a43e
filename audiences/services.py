"""Writes on audiences: each state change is one service, atomic, validated, recorded in the
audience's history, with its notifications written in the same transaction."""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.shortcuts import assign_perm

from cabinet.history import shown
from cabinet.roles import Role
from cabinet.selectors import holders_of
from cabinet.services import notification_create
from correspondence.files import check_upload, sanitise_name

from .models import (
    CORRECTABLE_STATES,
    PROTOCOL_FIELDS,
    SCHEDULED_CORRECTABLE_FIELDS,
    SCHEDULED_STATES,
    Attachment,
    Audience,
    AudienceEvent,
    AudienceState,
    FeedToken,
    Participant,
    Place,
    Unavailability,
)
from .roles import CONFIRM, PROGRAMME, RECORD
from .scheduling import check_time, hold_slot, release_slot
from .selectors import VIEW_CODENAME, visible_audiences

State = AudienceState


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
    return [u for u in holders_of(Role.PROTOCOLE) if visible_audiences(u).filter(pk=audience.pk).exists()]


def _notify(people: Iterable, audience: Audience, subject: str, body: str = "") -> None:
    for person in people:
        notification_create(recipient=person, subject=subject, body=body, url=_url(audience))


def _check_letter(person, letter) -> None:
    """The letter that carried a request: an incoming letter this person may see (the form
    checks it too; a service is also called from elsewhere)."""
    from correspondence.models import Register
    from correspondence.selectors import visible_mails

    if not visible_mails(person).filter(pk=letter.pk, register=Register.ARRIVEE).exists():
        raise ValidationError({"letter": _("Courrier introuvable.")})


# --- Requests -------------------------------------------------------------------------------
@transaction.atomic
def audience_request_create(
    *,
    by,
    requester,
    purpose: str,
    wished_from: datetime.date,
    wished_until: datetime.date | None = None,
    on_behalf_of: str = "",
    participants: list[dict] | None = None,
    participants_count: int | None = None,
    languages: str = "",
    interpreter_needed: bool = False,
    is_confidential: bool = False,
    letter=None,
    files: Iterable = (),
    **extra,
) -> Audience:
    _require(by, RECORD)
    if letter is not None:
        _check_letter(by, letter)
    if wished_from and wished_from < timezone.localdate():
        raise ValidationError({"wished_from": _("La date souhaitée ne peut pas être passée.")})
    participants = participants or []
    audience = Audience(
        requester=requester,
        on_behalf_of=on_behalf_of,
        purpose=purpose,
        wished_from=wished_from,
        wished_until=wished_until,
        participants_count=participants_count or max(len(participants), 1),
        languages=languages,
        interpreter_needed=interpreter_needed,
        needs_interpreter=interpreter_needed,
        is_confidential=is_confidential,
        letter=letter,
        created_by=by,
        **extra,
    )
    audience.full_clean()
    audience.save()
    for order, row in enumerate(participants):
        Participant.objects.create(audience=audience, order=order, **row)
    for upload in files:
        attachment_add(audience=audience, by=by, upload=upload, kind=Attachment.Kind.REQUEST, check=False)
    _event(audience, AudienceEvent.Kind.RECORDED, by)
    _notify(
        _cabinet_coordinators(exclude=by),
        audience,
        _("Nouvelle demande d'audience : %(who)s") % {"who": audience.requester_label},
        audience.purpose,
    )
    return audience


@transaction.atomic
def audience_study(*, audience: Audience, by) -> Audience:
    _require(by, PROGRAMME)
    audience = _lock(audience)
    _require_state(audience, State.RECEIVED)
    audience.state = State.STUDY
    audience.save(update_fields=["state"])
    _event(audience, AudienceEvent.Kind.STUDY, by)
    return audience


@transaction.atomic
def audience_accept(*, audience: Audience, by) -> Audience:
    _require(by, PROGRAMME)
    audience = _lock(audience)
    _require_state(audience, State.RECEIVED, State.STUDY)
    audience.state = State.ACCEPTED
    audience.save(update_fields=["state"])
    _event(audience, AudienceEvent.Kind.ACCEPTED, by)
    return audience


@transaction.atomic
def audience_refuse(*, audience: Audience, by, reason: str) -> Audience:
    _require(by, PROGRAMME)
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du refus.")})
    audience = _lock(audience)
    _require_state(audience, State.RECEIVED, State.STUDY, State.ACCEPTED)
    audience.state = State.REFUSED
    audience.decision_reason = reason.strip()
    audience.save(update_fields=["state", "decision_reason"])
    _event(audience, AudienceEvent.Kind.REFUSED, by, reason.strip())
    return audience


# --- Correcting a request (« Modifier la demande ») -----------------------------------------
# The request's own fields, as recorded by ``audience_request_create``; the participants are
# passed apart, as the list of rows the form parsed.
REQUEST_FIELDS = (
    "requester",
    "letter",
    "on_behalf_of",
    "purpose",
    "wished_from",
    "wished_until",
    "participants_count",
    "languages",
    "interpreter_needed",
    "is_confidential",
)


def require_correctable(audience: Audience) -> None:
    """A request held, cancelled or refused is history: it is no longer corrected."""
    _require_state(audience, *CORRECTABLE_STATES)


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


@transaction.atomic
def audience_update(
    *,
    actor,
    audience: Audience,
    participants: list[dict] | None = None,
    seen_event: int | None = None,
    **fields,
) -> tuple[Audience, bool]:
    """Correct a request: a misspelt name, a member added to the delegation, other dates.

    ``fields`` are among ``REQUEST_FIELDS``; those that differ are written (a blank
    ``participants_count`` counts the participants, as at creation). ``participants``, when
    given, replaces the list in its order; None keeps it. Once the audience is in the agenda,
    only ``SCHEDULED_CORRECTABLE_FIELDS`` may change and the protocol is told, as after a move;
    the time and place go through ``audience_move``. Returns the audience and whether anything
    changed (nothing is recorded when nothing did).
    """
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise TypeError(f"audience_update: unknown fields {sorted(unknown)}")
    _require(actor, RECORD)
    audience = _lock(audience)
    require_correctable(audience)
    _refuse_if_changed_meanwhile(
        audience,
        seen_event,
        _(
            "La demande a été modifiée depuis que vous l'avez ouverte (%(what)s, par %(who)s, le %(when)s) : "
            "rien n'a été enregistré. Vérifiez la fiche, puis enregistrez de nouveau pour confirmer vos valeurs."
        ),
    )

    old_rows = [(p.name, p.title, p.nationality) for p in audience.participants.all()]
    new_rows = old_rows if participants is None else [_participant_row(row) for row in participants]
    if "participants_count" in fields and not fields["participants_count"]:
        fields["participants_count"] = max(len(new_rows), 1)
    changed = [name for name in REQUEST_FIELDS if name in fields and _differs(audience, name, fields[name])]
    rows_changed = new_rows != old_rows

    if audience.is_scheduled:
        locked = [name for name in changed if name not in SCHEDULED_CORRECTABLE_FIELDS]
        if locked:
            message = _(
                "L'audience est à l'agenda : ce champ ne se modifie plus ici "
                "(l'heure et le lieu se changent par « Déplacer », le reste par « Annuler ou reporter »)."
            )
            raise ValidationError(dict.fromkeys(locked, message))
    if "letter" in changed and fields["letter"] is not None:
        _check_letter(actor, fields["letter"])
    # Only a new date is checked: a request received weeks ago keeps its first wished date.
    if "wished_from" in changed and fields["wished_from"] and fields["wished_from"] < timezone.localdate():
        raise ValidationError({"wished_from": _("La date souhaitée ne peut pas être passée.")})
    if not changed and not rows_changed:
        return audience, False

    lines = [_change_line(audience, name, fields[name]) for name in changed]
    if rows_changed:
        lines += _participant_lines(old_rows, new_rows)
    for name in changed:
        setattr(audience, name, fields[name])
    if "interpreter_needed" in changed:
        # As at creation: the request's wish pre-fills the protocol's need until programming.
        audience.needs_interpreter = audience.interpreter_needed
        changed.append("needs_interpreter")
    audience.full_clean()
    if changed:
        audience.save(update_fields=changed)
    if rows_changed:
        audience.participants.all().delete()
        Participant.objects.bulk_create(
            Participant(audience=audience, order=order, name=name, title=title, nationality=nationality)
            for order, (name, title, nationality) in enumerate(new_rows)
        )
    summary = "\n".join(lines)
    _event(audience, AudienceEvent.Kind.MODIFIED, actor, summary)
    if audience.is_scheduled:
        people = [*_protocol_people(audience), *_cabinet_coordinators(exclude=actor)]
        subject = _("Audience modifiée : %(who)s, %(when)s") % {
            "who": audience.requester_label,
            "when": _when(audience),
        }
    else:
        people = _cabinet_coordinators(exclude=actor)
        subject = _("Demande d'audience modifiée : %(who)s") % {"who": audience.requester_label}
    _notify(people, audience, subject, summary)
    return audience, True


def _participant_row(row: dict) -> tuple[str, str, str]:
    return (row["name"], row.get("title", ""), row.get("nationality", ""))


def _differs(audience: Audience, name: str, value) -> bool:
    field = Audience._meta.get_field(name)
    if field.is_relation:
        return getattr(audience, field.attname) != (value.pk if value is not None else None)
    return getattr(audience, name) != value


def _change_line(audience: Audience, name: str, new) -> str:
    """« Période souhaitée (début) : 10/03/2026 → 12/03/2026 », for the history."""
    label = capfirst(Audience._meta.get_field(name).verbose_name)
    return _("%(field)s : %(old)s → %(new)s") % {
        "field": label,
        "old": shown(getattr(audience, name)),
        "new": shown(new),
    }


def _participant_lines(old: list[tuple], new: list[tuple]) -> list[str]:
    """What changed in the delegation: a corrected line reads « old → new », the others are
    named as added or removed; the same people in another order is said so."""

    def show(row: tuple) -> str:
        return ", ".join(part for part in row if part)

    if sorted(old) == sorted(new):
        return [_("Ordre des participants : %(names)s") % {"names": " ; ".join(show(row) for row in new)}]
    lines, added, removed = [], [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "replace":
            # Line for line, a replaced line is a correction; what is left over was added or removed.
            paired = min(i2 - i1, j2 - j1)
            lines += [
                _("Participant : %(old)s → %(new)s") % {"old": show(a), "new": show(b)}
                for a, b in zip(old[i1 : i1 + paired], new[j1 : j1 + paired], strict=True)
            ]
            i1, j1 = i1 + paired, j1 + paired
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    if added:
        names = " ; ".join(show(row) for row in added)
        lines.append(
            ngettext("Participant ajouté : %(names)s", "Participants ajoutés : %(names)s", len(added))
            % {"names": names}
        )
    if removed:
        names = " ; ".join(show(row) for row in removed)
        lines.append(
            ngettext("Participant retiré : %(names)s", "Participants retirés : %(names)s", len(removed))
            % {"names": names}
        )
    return lines


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
    _require(actor, PROGRAMME)
    audience = _lock(audience)
    require_preparable(audience)
    _refuse_if_changed_meanwhile(
        audience,
        seen_event,
        _(
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
    told_removed = [user for user in removed if _sees(user, audience)]
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


def _sees(user, audience: Audience) -> bool:
    return visible_audiences(user).filter(pk=audience.pk).exists()


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
        if user.pk not in told and _sees(user, audience):
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
                url=_url(audience) if _sees(user, audience) else "",
            )
            told.add(user.pk)
    others = {user.pk: user for user in [*_protocol_people(audience), *_cabinet_coordinators()] if user.pk not in told}
    _notify(others.values(), audience, _("Préparation de l'audience modifiée : %(who)s, %(when)s") % values, summary)


@transaction.atomic
def audience_confirm(*, audience: Audience, by) -> Audience:
    """The protocol confirms it has the audience in hand (reception, interpreters…)."""
    _require(by, CONFIRM)
    audience = _lock(audience)
    _require_state(audience, State.PROGRAMMED)
    audience.state = State.CONFIRMED
    audience.confirmed_at = timezone.now()
    audience.confirmed_by = by
    audience.save(update_fields=["state", "confirmed_at", "confirmed_by"])
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
    audience.state = State.HELD
    audience.save(update_fields=["state"])
    _event(audience, AudienceEvent.Kind.HELD, by)
    return audience


def attachment_add(*, audience: Audience, by, upload, kind: str, check: bool = True) -> Attachment:
    # By content, not by name: a renamed executable is refused; size-limited; safe name.
    try:
        check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages})
    name = sanitise_name(upload.name)[:255]
    attachment = Attachment(audience=audience, kind=kind, file=upload, name=name, uploaded_by=by)
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def audience_report_attach(*, audience: Audience, by, upload) -> Attachment:
    """The compte rendu of an audience held (or past): visible to whoever sees the audience,
    the minister and the directeur de cabinet first."""
    _require(by, PROGRAMME)
    audience = _lock(audience)
    _require_state(audience, State.HELD, *SCHEDULED_STATES)
    if audience.starts_at > timezone.now():
        raise ValidationError({"file": _("Le compte rendu se dépose après l'audience.")})
    attachment = attachment_add(audience=audience, by=by, upload=upload, kind=Attachment.Kind.REPORT)
    if audience.state != State.HELD:
        audience.state = State.HELD
        audience.save(update_fields=["state"])
    _event(audience, AudienceEvent.Kind.REPORT, by, attachment.name)
    readers = {u.pk: u for role in (Role.MINISTRE, Role.DIRECTEUR_CABINET) for u in holders_of(role)}
    _notify(
        readers.values(),
        audience,
        _("Compte rendu de l'audience : %(who)s") % {"who": audience.requester_label},
    )
    return attachment


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


# --- Blocks ---------------------------------------------------------------------------------
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


# --- The private feed -----------------------------------------------------------------------
def feed_token_for(user) -> FeedToken:
    token, _created = FeedToken.objects.get_or_create(user=user, defaults={"token": FeedToken.new_token()})
    return token


@transaction.atomic
def feed_token_renew(*, user) -> FeedToken:
    """A new secret address; the old one answers 404 from now on."""
    token = feed_token_for(user)
    token.token = FeedToken.new_token()
    token.created_at = timezone.now()
    token.save(update_fields=["token", "created_at"])
    return token
