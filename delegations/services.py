"""Writes on the signature book (parapheur): submit, visa in order, send back and correct,
sign. The arrêtés are in ``delegation_services``, the directives in ``directive_services``, the
row-level sign permission in ``permissions``.

Public interface: ``signature_item_submit`` (used by the correspondence register).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.services import notification_create

from .files import attach_file
from .models import (
    ActCategory,
    SignatureItem,
    SignatureItemEvent,
    VisaStep,
    new_verification_code,
)
from .permissions import grant_view, sign_permissions_sync
from .rules import (
    SigningRefused,
    signers_on,
    signing_authority,
    subordinate_mandate,
)


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
        attach_file(item, "document", document)
    item.full_clean()
    if not category.is_active:
        raise ValidationError({"category": _("Cette catégorie d'actes n'est plus en usage.")})
    _check_visa_users(visa_users)
    item.save()
    grant_view(item, [drafter, *visa_users])
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
        attach_file(item, "document", document)
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
    grant_view(item, [user])
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
