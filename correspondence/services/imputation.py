"""Routing (imputation) and the assignee's work: deadlines in working days, reassignment,
acknowledgement, notes and opinion, completion."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.models import OrgUnit
from cabinet.workdays import add_working_days, next_working_day

from ..models import (
    Attachment,
    Imputation,
    ImputationNote,
    Mail,
    MailEvent,
)
from ._common import _ensure_not_cancelled, _event, _grant_view, _set_state
from .attachments import attachment_add


def default_deadline(priority: str, *, start: datetime.date | None = None) -> datetime.date:
    days = settings.CABINET_IMPUTATION_DEADLINE_DAYS.get(priority, 10)
    return add_working_days(start or timezone.localdate(), days)


def _check_deadline(deadline: datetime.date | None, priority: str) -> datetime.date:
    if deadline is None:
        return default_deadline(priority)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("L'échéance ne peut pas être dans le passé.")})
    # A deadline on a weekend or a holiday moves to the next working day.
    return next_working_day(deadline)


def _notify(imputation: Imputation) -> None:
    from ..notifications import notify_imputation

    notify_imputation(imputation)


@transaction.atomic
def imputation_create(
    *,
    mail: Mail,
    created_by,
    instruction: str,
    assignee=None,
    assignee_unit: OrgUnit | None = None,
    deadline: datetime.date | None = None,
    comment: str = "",
) -> Imputation:
    """Route ``mail`` to a person or a unit; the person gets the right to see it."""
    _ensure_not_cancelled(mail)
    if mail.state in (Mail.State.ARCHIVE,):
        raise ValidationError(_("Un courrier archivé ne peut plus être imputé."))
    imputation = Imputation(
        mail=mail,
        created_by=created_by,
        instruction=instruction,
        assignee=assignee,
        assignee_unit=assignee_unit,
        deadline=_check_deadline(deadline, mail.priority),
        comment=comment,
    )
    imputation.full_clean()
    imputation.save()
    if assignee is not None:
        _grant_view(mail, assignee)
    _event(
        mail,
        created_by,
        MailEvent.Action.ROUTED,
        imputation=imputation,
        text=_("%(who)s — %(instruction)s, échéance %(deadline)s")
        % {
            "who": imputation.assignee_label,
            "instruction": imputation.get_instruction_display(),
            "deadline": f"{imputation.deadline:%d/%m/%Y}",
        },
    )
    if mail.state == Mail.State.ENREGISTRE:
        _set_state(mail, created_by, Mail.State.IMPUTE)
    _notify(imputation)
    return imputation


@transaction.atomic
def imputation_reassign(
    *,
    imputation: Imputation,
    actor,
    assignee=None,
    assignee_unit: OrgUnit | None = None,
    instruction: str | None = None,
    deadline: datetime.date | None = None,
    comment: str = "",
) -> Imputation:
    """Close ``imputation`` as réaffectée and open a new one that points back to it."""
    imputation = Imputation.objects.select_for_update().get(pk=imputation.pk)
    if not imputation.is_open:
        raise ValidationError(_("Seule une imputation en cours peut être réaffectée."))
    mail = imputation.mail
    _ensure_not_cancelled(mail)
    imputation.state = Imputation.State.REAFFECTEE
    imputation.save(update_fields=["state"])
    new = Imputation(
        mail=mail,
        created_by=actor,
        instruction=instruction or imputation.instruction,
        assignee=assignee,
        assignee_unit=assignee_unit,
        deadline=_check_deadline(deadline, mail.priority) if deadline else imputation.deadline,
        comment=comment,
        reassigned_from=imputation,
    )
    new.full_clean()
    new.save()
    if assignee is not None:
        _grant_view(mail, assignee)
    _event(
        mail,
        actor,
        MailEvent.Action.REASSIGNED,
        imputation=new,
        changes={str(_("attributaire")): [imputation.assignee_label, new.assignee_label]},
        text=comment,
    )
    _notify(new)
    return new


@transaction.atomic
def imputation_acknowledge(*, imputation: Imputation, actor) -> Imputation:
    """The assignee has seen the imputation: the mail is now en traitement."""
    if imputation.state != Imputation.State.EN_ATTENTE:
        raise ValidationError(_("Cette imputation a déjà été prise en compte."))
    _ensure_not_cancelled(imputation.mail)
    imputation.state = Imputation.State.ACCUSEE
    imputation.acknowledged_at = timezone.now()
    imputation.acknowledged_by = actor
    imputation.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    _event(imputation.mail, actor, MailEvent.Action.ACKNOWLEDGED, imputation=imputation)
    if imputation.mail.state == Mail.State.IMPUTE:
        _set_state(imputation.mail, actor, Mail.State.EN_TRAITEMENT)
    return imputation


class OpinionChangedMeanwhile(ValidationError):
    """The avis was saved by someone else since the form showed ``seen``; ``opinion`` is the
    avis now, for the form to remember (the next save then confirms what was typed)."""

    def __init__(self, message: str, *, opinion: str):
        super().__init__({"opinion": [message]})
        self.opinion = opinion


def _refuse_if_opinion_changed(imputation: Imputation, seen: str, opinion: str) -> None:
    """Under the imputation's row lock: an avis saved since the form showed ``seen`` (a
    colleague of the service it is routed to, another tab) is not silently overwritten by
    ``opinion`` (unless they say the same)."""
    current = Imputation.objects.select_for_update().values_list("opinion", flat=True).get(pk=imputation.pk)
    if current in (seen.strip(), opinion.strip()):
        imputation.opinion = current
        return
    latest = (
        MailEvent.objects.filter(mail_id=imputation.mail_id, imputation=imputation, action=MailEvent.Action.OPINION)
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    if latest is None or latest.actor is None:  # changed outside the application (admin)
        message = _(
            "L'avis a été modifié depuis que vous avez ouvert ce formulaire : rien n'a été enregistré. Il se lit "
            "maintenant : « %(now)s ». Vérifiez le vôtre, puis enregistrez de nouveau pour le confirmer."
        ) % {"now": current}
    else:
        message = _(
            "L'avis a été modifié depuis que vous avez ouvert ce formulaire (par %(who)s, le %(when)s) : rien n'a "
            "été enregistré. Il se lit maintenant : « %(now)s ». Vérifiez le vôtre, puis enregistrez de nouveau "
            "pour le confirmer."
        ) % {
            "who": latest.actor.display_name,
            "when": f"{timezone.localtime(latest.at):%d/%m/%Y %H:%M}",
            "now": current,
        }
    raise OpinionChangedMeanwhile(message, opinion=current)


@transaction.atomic
def imputation_annotate(
    *,
    imputation: Imputation,
    actor,
    note: str = "",
    opinion: str | None = None,
    draft_reply=None,
    seen_opinion: str | None = None,
) -> Imputation:
    """The assignee's work: a note, the opinion (avis), a draft reply. Acknowledges first
    if needed. ``seen_opinion``: the avis the form showed; a new ``opinion`` is refused
    (``OpinionChangedMeanwhile``) if another was saved since. None (not a form): not checked."""
    if not imputation.is_open:
        raise ValidationError(_("Cette imputation est close."))
    mail = imputation.mail
    _ensure_not_cancelled(mail)
    note = (note or "").strip()
    if not note and opinion is None and draft_reply is None:
        raise ValidationError({"note": _("Écrivez une note, un avis ou joignez un projet de réponse.")})
    if opinion is not None and seen_opinion is not None:
        _refuse_if_opinion_changed(imputation, seen_opinion, opinion)
    if imputation.state == Imputation.State.EN_ATTENTE:
        imputation_acknowledge(imputation=imputation, actor=actor)
    if note:
        ImputationNote(imputation=imputation, author=actor, text=note).full_clean(exclude=["imputation", "author"])
        ImputationNote.objects.create(imputation=imputation, author=actor, text=note)
        _event(mail, actor, MailEvent.Action.NOTE, imputation=imputation, text=note)
    if opinion is not None and opinion.strip() != imputation.opinion:
        before = imputation.opinion
        imputation.opinion = opinion.strip()
        imputation.save(update_fields=["opinion"])
        _event(
            mail,
            actor,
            MailEvent.Action.OPINION,
            imputation=imputation,
            changes={str(_("avis")): [before, imputation.opinion]},
        )
    if draft_reply is not None:
        attachment_add(
            mail=mail, uploaded_by=actor, upload=draft_reply, kind=Attachment.Kind.DRAFT_REPLY, imputation=imputation
        )
    return imputation


@transaction.atomic
def imputation_complete(*, imputation: Imputation, actor) -> Imputation:
    if not imputation.is_open:
        raise ValidationError(_("Cette imputation est déjà close."))
    _ensure_not_cancelled(imputation.mail)
    imputation.state = Imputation.State.TERMINEE
    imputation.completed_at = timezone.now()
    imputation.completed_by = actor
    imputation.save(update_fields=["state", "completed_at", "completed_by"])
    _event(imputation.mail, actor, MailEvent.Action.COMPLETED, imputation=imputation)
    return imputation
