"""Writes of the delegations app: arrêtés and their states, the signature book, and the
row-level permissions that follow them. Directives are in ``directive_services``.

Public interface: ``signature_item_submit`` (used by the correspondence register).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.roles import Role
from cabinet.selectors import holders_of
from cabinet.services import notification_create

from .models import (
    ActCategory,
    Delegation,
    DelegationEvent,
    SignatureItem,
    SignatureItemEvent,
    SignatureItemUserObjectPermission,
    VisaStep,
    new_verification_code,
)
from .rules import (
    SigningRefused,
    minister_mandate,
    signers_on,
    signing_authority,
    subordinate_mandate,
)

END_WARNING_DAYS = 15


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="delegations", codename=codename)


def _d(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


# --- Arrêtés -------------------------------------------------------------------------------


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
        delegation.scan = scan
    errors: dict[str, list] = {}
    try:
        delegation.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, message in _check_delegation_people_and_scope(
        delegator=delegator, delegate=delegate, categories=categories, signed_on=signed_on, valid_from=valid_from
    ).items():
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    delegation.save()
    delegation.categories.set(categories)
    DelegationEvent.objects.create(
        delegation=delegation,
        action=DelegationEvent.Action.CREATED,
        actor=actor,
        note=_("Champ : %(scope)s.") % {"scope": ", ".join(c.name for c in categories)},
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
    sign_permissions_sync(items=_pending_in_scope(delegation))
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
    sign_permissions_sync(items=_pending_in_scope(delegation))
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
    sign_permissions_sync(items=_pending_in_scope(delegation))
    return delegation


@transaction.atomic
def delegation_lapse(*, delegation: Delegation, day: datetime.date, reason: str) -> Delegation:
    """en vigueur → caduc: the minister or the delegate has left the post (rule 3)."""
    _end(delegation, state=Delegation.State.CADUC, action=DelegationEvent.Action.LAPSED, day=day, note=reason)
    sign_permissions_sync(items=_pending_in_scope(delegation))
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


# --- Row-level permissions of the signature book ---------------------------------------------


def _pending_in_scope(delegation: Delegation) -> QuerySet[SignatureItem]:
    return SignatureItem.objects.filter(
        state__in=SignatureItem.PENDING_STATES, category__in=delegation.categories.all()
    )


def sign_permissions_sync(
    *, items: QuerySet[SignatureItem] | None = None, day: datetime.date | None = None
) -> tuple[int, int]:
    """Make ``sign_signatureitem`` held by exactly the people the rules allow today, on each
    pending item (and by nobody on an item no longer pending): the minister in office and the
    intérim holder on every pending item, a delegate on the items at the signature stage in
    his arrêté's scope. Returns (granted, withdrawn)."""
    day = day or timezone.localdate()
    perm = _perm("sign_signatureitem")
    items = SignatureItem.objects.all() if items is None else items
    item_rows = list(items.values_list("pk", "category_id", "state"))
    if not item_rows:
        return 0, 0
    categories = {c.pk: c for c in ActCategory.objects.filter(pk__in={row[1] for row in item_rows})}
    signers = {pk: signers_on(cat, day) for pk, cat in categories.items()}
    # A delegate signs once the visas are given; the minister may take a file back at any time.
    wanted = {
        (pk, authority.user.pk)
        for pk, category_id, state in item_rows
        for authority in signers[category_id]
        if state == SignatureItem.State.A_SIGNER
        or (state == SignatureItem.State.EN_VISA and authority.mode != SignatureItem.Mode.DELEGATION)
    }
    existing_rows = SignatureItemUserObjectPermission.objects.filter(
        permission=perm, content_object_id__in=[row[0] for row in item_rows]
    ).values_list("pk", "content_object_id", "user_id")
    existing = {(item_id, user_id): row_pk for row_pk, item_id, user_id in existing_rows}
    stale = [row_pk for key, row_pk in existing.items() if key not in wanted]
    if stale:
        SignatureItemUserObjectPermission.objects.filter(pk__in=stale).delete()
    missing = [key for key in wanted if key not in existing]
    SignatureItemUserObjectPermission.objects.bulk_create(
        [SignatureItemUserObjectPermission(permission=perm, content_object_id=i, user_id=u) for i, u in missing]
    )
    return len(missing), len(stale)


def _grant_view(item: SignatureItem, users: Iterable) -> None:
    perm = _perm("view_signatureitem")
    for user in users:
        SignatureItemUserObjectPermission.objects.get_or_create(permission=perm, content_object=item, user=user)


# --- The signature book --------------------------------------------------------------------


def _check_visa_users(visa_users: list) -> None:
    missing = [str(u) for u in visa_users if subordinate_mandate(u, timezone.localdate()) is None]
    if missing:
        raise ValidationError(
            {"visa_users": _("Viseur sans mandat en cours au ministère : %(names)s.") % {"names": ", ".join(missing)}}
        )
    if len({u.pk for u in visa_users}) != len(visa_users):
        raise ValidationError({"visa_users": _("Une même personne ne vise qu'une fois par circuit.")})


def _start_round(item: SignatureItem, visa_users: list) -> None:
    VisaStep.objects.bulk_create(
        [VisaStep(item=item, round=item.visa_round, order=i, user=u) for i, u in enumerate(visa_users, start=1)]
    )
    item.state = SignatureItem.State.EN_VISA if visa_users else SignatureItem.State.A_SIGNER
    item.save(update_fields=["state"])
    sign_permissions_sync(items=SignatureItem.objects.filter(pk=item.pk))
    if visa_users:
        _notify_visa(item, visa_users[0])
    else:
        _notify_signers(item)


def _item_url(item: SignatureItem) -> str:
    return reverse("delegations:item_detail", args=[item.pk])


def _notify_visa(item: SignatureItem, user) -> None:
    notification_create(
        recipient=user,
        subject=_("Visa demandé : %(t)s") % {"t": item.title},
        body=_("Rédacteur : %(who)s.") % {"who": item.drafter},
        url=_item_url(item),
    )


def _notify_signers(item: SignatureItem) -> None:
    for authority in signers_on(item.category, timezone.localdate()):
        notification_create(
            recipient=authority.user,
            subject=_("À signer : %(t)s") % {"t": item.title},
            body=_("Catégorie : %(c)s. Rédacteur : %(who)s.") % {"c": item.category, "who": item.drafter},
            url=_item_url(item),
        )


@transaction.atomic
def signature_item_submit(
    *,
    drafter,
    category: ActCategory,
    title: str,
    body: str,
    visa_users=(),
    document=None,
    source_label: str = "",
    source_url: str = "",
) -> SignatureItem:
    """Put a letter or an act in the signature book, with its visa steps in order (public
    interface: the correspondence register calls it for outgoing letters)."""
    visa_users = list(visa_users)
    item = SignatureItem(
        title=title.strip(),
        category=category,
        drafter=drafter,
        body=body.strip(),
        source_label=source_label,
        source_url=source_url,
    )
    if document:
        item.document = document
    item.full_clean()
    if not category.is_active:
        raise ValidationError({"category": _("Cette catégorie d'actes n'est plus en usage.")})
    _check_visa_users(visa_users)
    item.save()
    _grant_view(item, [drafter, *visa_users])
    SignatureItemEvent.objects.create(
        item=item,
        action=SignatureItemEvent.Action.SUBMITTED,
        actor=drafter,
        note=_("Circuit de visa : %(v)s.") % {"v": " → ".join(str(u) for u in visa_users) or _("aucun")},
    )
    _start_round(item, visa_users)
    return item


def _current_step(item: SignatureItem) -> VisaStep | None:
    return (
        item.visa_steps.filter(round=item.visa_round, state=VisaStep.State.EN_ATTENTE)
        .select_related("user")
        .order_by("order")
        .first()
    )


@transaction.atomic
def visa_decide(*, item: SignatureItem, user, approve: bool, comment: str = "") -> SignatureItem:
    """The current visa step approves (next step, or the signature) or rejects with a
    mandatory comment, which sends the item back to the drafter."""
    item = SignatureItem.objects.select_for_update().get(pk=item.pk)
    if item.state != SignatureItem.State.EN_VISA:
        raise ValidationError(_("Cette pièce n'attend pas de visa."))
    step = _current_step(item)
    if step is None or step.user_id != user.pk:
        raise PermissionDenied(_("Ce n'est pas à vous de viser cette pièce."))
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Un rejet doit être motivé : indiquez ce qu'il faut corriger.")})
    step.state = VisaStep.State.APPROUVE if approve else VisaStep.State.REJETE
    step.comment = comment
    step.decided_at = timezone.now()
    step.full_clean()
    step.save(update_fields=["state", "comment", "decided_at"])
    if approve:
        SignatureItemEvent.objects.create(item=item, action=SignatureItemEvent.Action.VISA, actor=user, note=comment)
        following = _current_step(item)
        if following is not None:
            _notify_visa(item, following.user)
        else:
            item.state = SignatureItem.State.A_SIGNER
            item.save(update_fields=["state"])
            sign_permissions_sync(items=SignatureItem.objects.filter(pk=item.pk))
            _notify_signers(item)
    else:
        item.state = SignatureItem.State.RENVOYE
        item.save(update_fields=["state"])
        SignatureItemEvent.objects.create(
            item=item, action=SignatureItemEvent.Action.REJECTED, actor=user, note=comment
        )
        sign_permissions_sync(items=SignatureItem.objects.filter(pk=item.pk))
        notification_create(
            recipient=item.drafter,
            subject=_("Renvoyé pour correction : %(t)s") % {"t": item.title},
            body=comment,
            url=_item_url(item),
        )
    return item


@transaction.atomic
def signature_item_resubmit(
    *, item: SignatureItem, user, title: str, body: str, category: ActCategory, document=None
) -> SignatureItem:
    """The drafter corrects an item sent back and submits it again: a new visa round with the
    same visa holders, in the same order."""
    item = SignatureItem.objects.select_for_update().get(pk=item.pk)
    if item.drafter_id != user.pk:
        raise PermissionDenied(_("Seul le rédacteur corrige sa pièce."))
    if item.state != SignatureItem.State.RENVOYE:
        raise ValidationError(_("Seule une pièce renvoyée au rédacteur peut être corrigée."))
    visa_users = [
        s.user for s in item.visa_steps.filter(round=item.visa_round).select_related("user").order_by("order")
    ]
    item.title, item.body, item.category = title.strip(), body.strip(), category
    if document:
        item.document = document
    item.full_clean()
    item.visa_round += 1
    item.save()
    SignatureItemEvent.objects.create(item=item, action=SignatureItemEvent.Action.RESUBMITTED, actor=user)
    _start_round(item, visa_users)
    return item


@transaction.atomic
def signature_item_sign(*, item: SignatureItem, user, attested: bool = False) -> SignatureItem:
    """Sign, after checking the law at this moment (``rules.signing_authority``). Records
    who signed, on whose behalf, under which arrêté and when (rule 10), and the signed PDF.
    A refusal raises ``SigningRefused`` and records nothing."""
    item = SignatureItem.objects.select_for_update().select_related("category").get(pk=item.pk)
    if item.state == SignatureItem.State.SIGNE:
        raise SigningRefused(_("Cette pièce est déjà signée."))
    if item.state == SignatureItem.State.RENVOYE:
        raise SigningRefused(_("Cette pièce a été renvoyée au rédacteur : elle doit d'abord être corrigée."))
    now = timezone.now()
    authority = signing_authority(user=user, category=item.category, day=timezone.localdate(now), attested=attested)
    # Rule 5: the minister can always take a file back and sign it, visas pending or not.
    if item.state == SignatureItem.State.EN_VISA and authority.mode == SignatureItem.Mode.DELEGATION:
        raise SigningRefused(_("Les visas ne sont pas tous donnés : la pièce n'est pas encore à la signature."))
    item.state = SignatureItem.State.SIGNE
    item.signed_at = now
    item.signer = user
    item.on_behalf_of = authority.on_behalf_of
    item.signing_mode = authority.mode
    item.delegation = authority.delegation
    item.condition_attested = bool(attested and authority.delegation and authority.delegation.is_conditional)
    item.signer_name = user.display_name
    item.signer_title = authority.title
    item.verification_code = _unique_code()
    item.full_clean()
    item.save()
    from .printing import signed_item_pdf

    item.signed_pdf.save(f"{item.verification_code}.pdf", ContentFile(signed_item_pdf(item)), save=False)
    item.save(update_fields=["signed_pdf"])
    note = item.get_signing_mode_display()
    if authority.delegation is not None:
        note = _("Pour le Ministre et par délégation, en vertu de l'arrêté n° %(n)s%(cond)s.") % {
            "n": authority.delegation.number,
            "cond": _(" (absence ou empêchement du ministre attesté)") if item.condition_attested else "",
        }
    SignatureItemEvent.objects.create(
        item=item,
        action=SignatureItemEvent.Action.SIGNED,
        actor=user,
        at=now,
        note=f"{note} {_('Code')} {item.verification_code}",
    )
    sign_permissions_sync(items=SignatureItem.objects.filter(pk=item.pk))
    _grant_view(item, [user])
    notification_create(
        recipient=item.drafter,
        subject=_("Signé : %(t)s") % {"t": item.title},
        body=_("Signé par %(who)s le %(when)s.")
        % {"who": user.display_name, "when": timezone.localtime(now).strftime("%d/%m/%Y %H:%M")},
        url=_item_url(item),
    )
    return item


def _unique_code() -> str:
    while True:
        code = new_verification_code()
        if not SignatureItem.objects.filter(verification_code=code).exists():
            return code
