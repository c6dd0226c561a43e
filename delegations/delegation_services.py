"""Writes on the arrêtés of delegation: record (projet), publish (en vigueur), revoke
(abrogé), and the nightly sweep that finds them expiré or caduc and warns 15 days ahead.
Each change is in the arrêté's history, and the sign permissions follow at once."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cabinet.history import shown
from cabinet.roles import Role
from cabinet.selectors import holders_of
from cabinet.services import notification_create

from .files import attach_file
from .models import ActCategory, Delegation, DelegationEvent
from .permissions import pending_in_scope, sign_permissions_sync
from .rules import minister_mandate, subordinate_mandate

END_WARNING_DAYS = 15


def _d(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _check_delegation_people_and_scope(
    *, delegator, delegate, categories: list[ActCategory], signed_on, valid_from
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not categories:
        errors["categories"] = _("Indiquez au moins une catégorie d'actes : le champ d'une délégation est explicite.")
    refused = [c.name for c in categories if not c.is_delegable]
    if refused:
        errors["categories"] = _("Catégorie non délégable, seul le ministre la signe : %(names)s.") % {
            "names": ", ".join(refused)
        }
    if delegator is not None and signed_on and minister_mandate(delegator, signed_on) is None:
        errors["delegator"] = _(
            "Seul le ministre en exercice à la date de l'arrêté délègue sa signature (pas de subdélégation)."
        )
    if delegate is not None and valid_from:
        if delegate == delegator:
            errors["delegate"] = _("Le ministre ne se délègue pas sa propre signature.")
        elif subordinate_mandate(delegate, valid_from) is None:
            has_any = delegate.mandates.in_force(valid_from).exists()
            errors["delegate"] = (
                _("%(who)s n'occupe pas un poste du ministère au %(d)s : le délégataire doit être un subordonné.")
                if has_any
                else _("%(who)s n'a aucun mandat en cours au %(d)s : le délégataire doit être un agent du ministère.")
            ) % {"who": delegate, "d": _d(valid_from)}
    return errors


SCAN_FIELDS = ("scan", "scan_name", "scan_size")


def _save(delegation: Delegation, **kwargs) -> None:
    """Save; a number taken meanwhile by another arrêté (two people recording or correcting at
    once: the uniqueness check passed for both) gets the check's own French message, not an
    error page."""
    try:
        with transaction.atomic():
            delegation.save(**kwargs)
    except IntegrityError as exc:
        if "number" not in str(exc):
            raise
        raise ValidationError({"number": [delegation.unique_error_message(Delegation, ("number",))]}) from exc


def _validate(delegation: Delegation, *, delegator, delegate, categories: list[ActCategory]) -> None:
    """The model's checks and the law's (rules 2, 4, 6), all reported at once, field by field:
    the same for a new arrêté and for a corrected projet."""
    errors: dict[str, list] = {}
    try:
        delegation.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, message in _check_delegation_people_and_scope(
        delegator=delegator,
        delegate=delegate,
        categories=categories,
        signed_on=delegation.signed_on,
        valid_from=delegation.valid_from,
    ).items():
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def delegation_create(
    *,
    actor,
    number: str,
    signed_on: datetime.date,
    delegator,
    delegate,
    categories: Iterable[ActCategory],
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    is_conditional: bool = False,
    scan=None,
) -> Delegation:
    """Record a signed arrêté as a projet (not yet published: nobody signs under it)."""
    categories = list(categories)
    delegation = Delegation(
        number=number.strip(),
        signed_on=signed_on,
        delegator=delegator,
        delegate=delegate,
        valid_from=valid_from,
        valid_until=valid_until,
        is_conditional=is_conditional,
        created_by=actor,
    )
    if scan:
        attach_file(delegation, "scan", scan)
    _validate(delegation, delegator=delegator, delegate=delegate, categories=categories)
    _save(delegation)
    delegation.categories.set(categories)
    DelegationEvent.objects.create(
        delegation=delegation,
        action=DelegationEvent.Action.CREATED,
        actor=actor,
        note=_("Champ : %(scope)s.") % {"scope": ", ".join(c.name for c in categories)},
    )
    return delegation


# The terms of a projet that its correction may change, in the order the history lists them.
EDITABLE_TERMS = ("number", "signed_on", "delegator", "delegate", "valid_from", "valid_until", "is_conditional")


def delegation_edit_refusal(delegation: Delegation) -> str | None:
    """Why this arrêté may no longer be corrected (None: it may). Only a projet is: once
    published, an arrêté is a legal act, revoked and replaced but never rewritten."""
    if delegation.state == Delegation.State.PROJET:
        return None
    if delegation.state == Delegation.State.EN_VIGUEUR:
        return _(
            "L'arrêté n° %(n)s est publié et en vigueur : c'est un acte juridique, il ne se modifie plus. "
            "Pour en changer les termes, abrogez-le et enregistrez un nouvel arrêté."
        ) % {"n": delegation.number}
    return _(
        "L'arrêté n° %(n)s est %(state)s : c'est un acte juridique publié, il ne se modifie plus. "
        "Pour déléguer de nouveau, enregistrez un nouvel arrêté."
    ) % {"n": delegation.number, "state": delegation.get_state_display().lower()}


def _term_label(name: str) -> str:
    return capfirst(Delegation._meta.get_field(name).verbose_name)


def _terms(delegation: Delegation, categories: list[ActCategory]) -> dict:
    return {**{name: getattr(delegation, name) for name in EDITABLE_TERMS}, "categories": categories}


@transaction.atomic
def delegation_update(
    *,
    actor,
    delegation: Delegation,
    number: str,
    signed_on: datetime.date,
    delegator,
    delegate,
    categories: Iterable[ActCategory],
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    is_conditional: bool = False,
    scan=None,
) -> Delegation:
    """Correct a projet before its publication (number, date, people, scope, dates,
    condition), under the same checks as when it was recorded. A new ``scan`` replaces the
    scanned arrêté; without one, the current scan is kept.

    The row is locked and its state read again under the lock: a publication in another tab
    either waits for this correction or is already there, and then the correction is refused.
    The history records each term changed, before → after; nothing is recorded if nothing
    changed."""
    delegation = (
        Delegation.objects.select_for_update(of=("self",)).select_related("delegator", "delegate").get(pk=delegation.pk)
    )
    refusal = delegation_edit_refusal(delegation)
    if refusal:
        raise ValidationError(refusal)
    categories = sorted(categories, key=lambda c: c.name)
    before = _terms(delegation, list(delegation.categories.order_by("name")))
    delegation.number = number.strip()
    delegation.signed_on = signed_on
    delegation.delegator = delegator
    delegation.delegate = delegate
    delegation.valid_from = valid_from
    delegation.valid_until = valid_until
    delegation.is_conditional = is_conditional
    if scan:
        attach_file(delegation, "scan", scan)
    _validate(delegation, delegator=delegator, delegate=delegate, categories=categories)
    after = _terms(delegation, categories)
    changes = [
        _("%(term)s : %(before)s → %(after)s")
        % {"term": _term_label(name), "before": shown(before[name]), "after": shown(after[name])}
        for name in (*EDITABLE_TERMS, "categories")
        if before[name] != after[name]
    ]
    if scan:
        changes.append(_("Arrêté scanné : remplacé"))
    if not changes:
        return delegation
    _save(delegation, update_fields=[*EDITABLE_TERMS, *(SCAN_FIELDS if scan else [])])
    delegation.categories.set(categories)
    DelegationEvent.objects.create(
        delegation=delegation,
        action=DelegationEvent.Action.UPDATED,
        actor=actor,
        note=" ; ".join(changes) + ".",
    )
    return delegation


@transaction.atomic
def delegation_put_in_force(
    *, delegation: Delegation, actor, publication_reference: str, published_on: datetime.date
) -> Delegation:
    """projet → en vigueur, once published (rule 1). Gives the delegate the permission to
    sign the pending items of its scope when the arrêté already takes effect."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.state != Delegation.State.PROJET:
        raise ValidationError(_("Seul un projet d'arrêté peut être publié."))
    errors = {}
    if not publication_reference.strip():
        errors["publication_reference"] = _("La référence de publication est obligatoire.")
    if published_on is None:
        errors["published_on"] = _("La date de publication est obligatoire.")
    elif published_on > timezone.localdate():
        errors["published_on"] = _("La date de publication ne peut pas être dans le futur.")
    if errors:
        raise ValidationError(errors)
    delegation.publication_reference = publication_reference.strip()
    delegation.published_on = published_on
    delegation.state = Delegation.State.EN_VIGUEUR
    delegation.full_clean()
    delegation.save(update_fields=["publication_reference", "published_on", "state"])
    DelegationEvent.objects.create(
        delegation=delegation,
        action=DelegationEvent.Action.PUBLISHED,
        actor=actor,
        note=_("Publié le %(d)s (%(ref)s).") % {"d": _d(published_on), "ref": delegation.publication_reference},
    )
    sign_permissions_sync(items=pending_in_scope(delegation))
    notification_create(
        recipient=delegation.delegate,
        subject=_("Délégation de signature en vigueur : arrêté n° %(n)s") % {"n": delegation.number},
        body=_("Vous pouvez signer, pour le Ministre et par délégation, les actes de : %(scope)s.")
        % {"scope": ", ".join(c.name for c in delegation.categories.all())},
        url=reverse("delegations:delegation_detail", args=[delegation.pk]),
    )
    return delegation


@transaction.atomic
def delegation_revoke(
    *, delegation: Delegation, actor, reference: str, revoked_on: datetime.date, reason: str
) -> Delegation:
    """en vigueur → abrogé (rule 4): the delegate loses the permission to sign at once."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.state != Delegation.State.EN_VIGUEUR:
        raise ValidationError(_("Seul un arrêté en vigueur peut être abrogé."))
    errors = {}
    if not reference.strip():
        errors["reference"] = _("La référence de l'arrêté d'abrogation est obligatoire.")
    if not reason.strip():
        errors["reason"] = _("Le motif de l'abrogation est obligatoire.")
    if revoked_on is None:
        errors["revoked_on"] = _("La date d'abrogation est obligatoire.")
    elif revoked_on > timezone.localdate():
        errors["revoked_on"] = _("L'abrogation se constate au jour où elle prend effet : pas de date future.")
    elif revoked_on < delegation.signed_on:
        errors["revoked_on"] = _("L'abrogation ne peut pas précéder la signature de l'arrêté.")
    if errors:
        raise ValidationError(errors)
    delegation.revocation_reference = reference.strip()
    delegation.revoked_on = revoked_on
    delegation.revocation_reason = reason.strip()
    delegation.state = Delegation.State.ABROGE
    delegation.full_clean()
    delegation.save(update_fields=["revocation_reference", "revoked_on", "revocation_reason", "state"])
    DelegationEvent.objects.create(
        delegation=delegation,
        action=DelegationEvent.Action.REVOKED,
        actor=actor,
        note=_("Abrogé le %(d)s par %(ref)s : %(reason)s")
        % {"d": _d(revoked_on), "ref": delegation.revocation_reference, "reason": delegation.revocation_reason},
    )
    sign_permissions_sync(items=pending_in_scope(delegation))
    notification_create(
        recipient=delegation.delegate,
        subject=_("Délégation de signature abrogée : arrêté n° %(n)s") % {"n": delegation.number},
        body=delegation.revocation_reason,
        url=reverse("delegations:delegation_detail", args=[delegation.pk]),
    )
    return delegation


def _end(delegation: Delegation, *, state: str, action: str, day: datetime.date, note: str) -> None:
    delegation.state = state
    delegation.ended_on = day
    delegation.save(update_fields=["state", "ended_on"])
    DelegationEvent.objects.create(delegation=delegation, action=action, note=note)


@transaction.atomic
def delegation_expire(*, delegation: Delegation, day: datetime.date) -> Delegation:
    """en vigueur → expiré, the day after its term."""
    _end(
        delegation,
        state=Delegation.State.EXPIRE,
        action=DelegationEvent.Action.EXPIRED,
        day=day,
        note=_("Terme atteint le %(d)s.") % {"d": _d(delegation.valid_until)},
    )
    sign_permissions_sync(items=pending_in_scope(delegation))
    return delegation


@transaction.atomic
def delegation_lapse(*, delegation: Delegation, day: datetime.date, reason: str) -> Delegation:
    """en vigueur → caduc: the minister or the delegate has left the post (rule 3)."""
    _end(delegation, state=Delegation.State.CADUC, action=DelegationEvent.Action.LAPSED, day=day, note=reason)
    sign_permissions_sync(items=pending_in_scope(delegation))
    return delegation


def _lapse_reason(delegation: Delegation, day: datetime.date) -> str | None:
    if minister_mandate(delegation.delegator, day) is None:
        return _("%(who)s n'est plus ministre au %(d)s.") % {"who": delegation.delegator, "d": _d(day)}
    if subordinate_mandate(delegation.delegate, day) is None:
        return _("Le mandat de %(who)s a pris fin au %(d)s.") % {"who": delegation.delegate, "d": _d(day)}
    return None


def delegation_end_date(delegation: Delegation) -> datetime.date | None:
    """The last day the arrêté will give power, as known today: its term, or the planned end
    of the minister's or the delegate's mandate."""
    ends = [delegation.valid_until] if delegation.valid_until else []
    today = timezone.localdate()
    minister = minister_mandate(delegation.delegator, today)
    if minister and minister.end_date:
        ends.append(minister.end_date)
    delegate = subordinate_mandate(delegation.delegate, today)
    if delegate and delegate.end_date:
        ends.append(delegate.end_date)
    return min(ends) if ends else None


def delegations_nightly(*, day: datetime.date | None = None) -> dict[str, int]:
    """The nightly sweep: expire and lapse arrêtés, resynchronise every pending item's sign
    permission, and warn delegates and the directeur 15 days before an arrêté ends."""
    day = day or timezone.localdate()
    counts = {"expired": 0, "lapsed": 0, "warned": 0, "granted": 0, "withdrawn": 0}
    for delegation in Delegation.objects.filter(state=Delegation.State.EN_VIGUEUR).select_related(
        "delegator", "delegate"
    ):
        if delegation.valid_until and delegation.valid_until < day:
            delegation_expire(delegation=delegation, day=day)
            counts["expired"] += 1
            continue
        if delegation.valid_from <= day:
            reason = _lapse_reason(delegation, day)
            if reason:
                delegation_lapse(delegation=delegation, day=day, reason=reason)
                counts["lapsed"] += 1
                continue
        counts["warned"] += delegation_warn_end(delegation=delegation, day=day)
    granted, withdrawn = sign_permissions_sync()
    counts["granted"], counts["withdrawn"] = granted, withdrawn
    return counts


@transaction.atomic
def delegation_warn_end(*, delegation: Delegation, day: datetime.date) -> int:
    """Warn the delegate and the directeur(s) de cabinet once, 15 days before the end."""
    end = delegation_end_date(delegation)
    if end is None or delegation.end_warning_sent_on or (end - day).days > END_WARNING_DAYS or end < day:
        return 0
    recipients = {delegation.delegate, *holders_of(Role.DIRECTEUR_CABINET, day=day)}
    for person in recipients:
        notification_create(
            recipient=person,
            subject=_("La délégation de l'arrêté n° %(n)s prend fin le %(d)s") % {"n": delegation.number, "d": _d(end)},
            body=_("Délégataire : %(who)s. Après cette date, nul ne pourra signer en vertu de cet arrêté.")
            % {"who": delegation.delegate},
            url=reverse("delegations:delegation_detail", args=[delegation.pk]),
        )
    delegation.end_warning_sent_on = day
    delegation.save(update_fields=["end_warning_sent_on"])
    DelegationEvent.objects.create(
        delegation=delegation,
        action=DelegationEvent.Action.WARNED,
        note=_("Fin prévue le %(d)s ; préavis envoyé à %(who)s.")
        % {"d": _d(end), "who": ", ".join(sorted(str(p) for p in recipients))},
    )
    return 1
