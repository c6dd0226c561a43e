"""Requests for an audience: recorded, studied, accepted or refused, and corrected
(« Modifier la demande »)."""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from correspondence.models import Correspondent

from ..models import (
    CORRECTABLE_STATES,
    SCHEDULED_CORRECTABLE_FIELDS,
    Attachment,
    Audience,
    AudienceEvent,
    AudienceState,
    Participant,
)
from ..roles import PROGRAMME, RECORD
from ._shared import (
    _cabinet_coordinators,
    _change_line,
    _event,
    _lock,
    _locked_for_correction,
    _notify,
    _protocol_people,
    _raise_sequence_if_shown,
    _require,
    _require_state,
    _when,
)
from .documents import attachment_add
from .feed_revisions import TITLED_BY_REQUESTER

State = AudienceState


# --- Requests -------------------------------------------------------------------------------
def _check_letter(person, letter) -> None:
    """The letter that carried a request: an incoming letter this person may see (the form
    checks it too; a service is also called from elsewhere)."""
    from correspondence.models import Register
    from correspondence.selectors import visible_mails

    if not visible_mails(person).filter(pk=letter.pk, register=Register.ARRIVEE).exists():
        raise ValidationError({"letter": _("Courrier introuvable.")})


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
    audience = _locked_for_correction(
        audience,
        actor=actor,
        right=RECORD,
        require=require_correctable,
        seen_event=seen_event,
        changed_meanwhile=_(
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
        # A corrected purpose or requester is the event's new text on phones.
        audience.save(update_fields=_raise_sequence_if_shown(audience, changed))
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


# --- A requester merged in the directory ----------------------------------------------------
@transaction.atomic
def audiences_requester_merged(*, duplicate: Correspondent, into: Correspondent, actor) -> int:
    """``actor`` merged ``duplicate`` into ``into`` in the directory (``correspondent_merge``,
    which calls this in its transaction): every audience requested by the duplicate, or by an
    entry merged into it earlier, now names ``into``. Returns how many.

    The requester itself is re-pointed, not only shown through ``merged_into``: the list, the
    page, the week, the programme and the feed all print ``audience.requester``, and the edit
    form offers the active entries. Audiences are outside the register's chain hash (only a
    letter's registered fields are hashed: its letters keep pointing to the duplicate), so
    nothing forbids it. Each gets a line in its history, and the events titled with the name a
    new revision of the feed; nothing is written when none was requested by them.
    """
    merged = Q(requester=duplicate) | Q(requester__merged_into=duplicate)
    # Locked: a correction saved meanwhile is either seen here or refused by its form's guard.
    audiences = list(Audience.objects.select_for_update(of=("self",)).select_related("requester").filter(merged))
    if not audiences:
        return 0
    now = timezone.now()
    AudienceEvent.objects.bulk_create(
        AudienceEvent(
            audience=audience,
            kind=AudienceEvent.Kind.REQUESTER_MERGED,
            actor=actor,
            at=now,
            comment=_change_line(audience, "requester", into),
        )
        for audience in audiences
    )
    return Audience.objects.filter(pk__in=[audience.pk for audience in audiences]).update(
        requester=into,
        sequence=Case(
            When(TITLED_BY_REQUESTER, then=F("sequence") + 1),
            default=F("sequence"),
            output_field=PositiveIntegerField(),
        ),
    )


def _participant_row(row: dict) -> tuple[str, str, str]:
    return (row["name"], row.get("title", ""), row.get("nationality", ""))


def _differs(audience: Audience, name: str, value) -> bool:
    field = Audience._meta.get_field(name)
    if field.is_relation:
        return getattr(audience, field.attname) != (value.pk if value is not None else None)
    return getattr(audience, name) != value


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
