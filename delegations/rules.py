"""The law of signature, checked at the moment of signing (domain brief, rules 1–10).

``signing_authority`` answers "may this person sign an act of this category today, and in
what capacity?"; it raises ``SigningRefused`` with the French reason otherwise. The signing
service calls it inside the transaction that records the signature, so a stale permission
can never produce a signature. ``signers_on`` lists everyone who could sign on a day (the
register, and the row-level permissions of the signature book).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.models import Mandate, OrgUnit
from cabinet.roles import Role

from .models import ActCategory, Delegation, SignatureItem


class SigningRefused(Exception):
    """The signature is refused; ``reason`` says why, in French, for the signer."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SigningAuthority:
    user: object
    mode: str  # SignatureItem.Mode
    on_behalf_of: object
    delegation: Delegation | None
    title: str


def _d(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def minister_mandate(user, day: datetime.date) -> Mandate | None:
    """The person's mandate on the minister's post on ``day`` (ordinary first, then intérim)."""
    return (
        Mandate.objects.in_force(day)
        .filter(user=user, user__is_active=True, position__kind=Role.MINISTRE)
        .select_related("position")
        .order_by("is_interim", "-start_date")
        .first()
    )


def in_ministry(unit: OrgUnit) -> bool:
    return unit.kind == OrgUnit.Kind.MINISTRY or any(a.kind == OrgUnit.Kind.MINISTRY for a in unit.ancestors())


def subordinate_mandate(user, day: datetime.date) -> Mandate | None:
    """A mandate in force on ``day`` that makes the person a subordinate of the minister:
    a post of the cabinet or of the ministry's services, other than the minister's own."""
    mandates = (
        Mandate.objects.in_force(day)
        .filter(user=user, user__is_active=True)
        .exclude(position__kind=Role.MINISTRE)
        .select_related("position", "position__unit")
        .order_by("is_interim", "-start_date")
    )
    for mandate in mandates:
        if in_ministry(mandate.position.unit):
            return mandate
    return None


def ordinary_minister(day: datetime.date):
    mandate = (
        Mandate.objects.in_force(day)
        .filter(position__kind=Role.MINISTRE, is_interim=False)
        .select_related("user")
        .order_by("-start_date")
        .first()
    )
    return mandate.user if mandate else None


def _printed_title(user, mandate: Mandate | None) -> str:
    return user.title or (mandate.position.title if mandate else "")


def delegation_refusal(
    delegation: Delegation,
    *,
    category: ActCategory,
    day: datetime.date,
    attested: bool,
    scope_ids: set[int] | None = None,
) -> tuple[int, str] | None:
    """Why ``delegation`` does not let its delegate sign this act on ``day`` (None: it does).

    The first number ranks how far the arrêté went through the checks, so that the reason
    given to the signer is the one of the arrêté that came closest."""
    number = delegation.number
    if delegation.state == Delegation.State.PROJET or not delegation.published_on or delegation.published_on > day:
        return 1, _("L'arrêté n° %(n)s n'est pas encore publié : nul ne peut signer en vertu de cet arrêté.") % {
            "n": number
        }
    # Dated checks, so that the register can ask about a past day as well as today.
    if delegation.revoked_on and delegation.revoked_on <= day:
        return 2, _("L'arrêté n° %(n)s a été abrogé le %(d)s (%(ref)s) : la délégation a pris fin.") % {
            "n": number,
            "d": _d(delegation.revoked_on),
            "ref": delegation.revocation_reference,
        }
    if delegation.valid_from > day:
        return 2, _("L'arrêté n° %(n)s ne prend effet que le %(d)s.") % {"n": number, "d": _d(delegation.valid_from)}
    if delegation.valid_until and delegation.valid_until < day:
        return 2, _("L'arrêté n° %(n)s a expiré le %(d)s.") % {"n": number, "d": _d(delegation.valid_until)}
    if delegation.state == Delegation.State.CADUC and (delegation.ended_on is None or delegation.ended_on <= day):
        return 2, _("L'arrêté n° %(n)s est caduc : le mandat du ministre ou du délégataire a pris fin.") % {"n": number}
    if scope_ids is None:
        scope_ids = {c.pk for c in delegation.categories.all()}
    if category.pk not in scope_ids:
        return 3, _("La catégorie « %(c)s » n'est pas dans le champ de l'arrêté n° %(n)s.") % {
            "c": category.name,
            "n": number,
        }
    # Rule 4: no sub-delegation — only the minister delegates his signature.
    if minister_mandate(delegation.delegator, delegation.signed_on) is None:
        return 4, _("L'arrêté n° %(n)s n'émane pas du ministre : la subdélégation de signature est interdite.") % {
            "n": number
        }
    # Rule 3: it binds named persons, and lapses when either leaves the post.
    if minister_mandate(delegation.delegator, day) is None:
        return 5, _("L'arrêté n° %(n)s est caduc : %(who)s n'est plus ministre à cette date.") % {
            "n": number,
            "who": delegation.delegator,
        }
    if subordinate_mandate(delegation.delegate, day) is None:
        return 5, _(
            "Votre mandat au sein du ministère n'est pas en cours à cette date : l'arrêté n° %(n)s est caduc."
        ) % {"n": number}
    # Rule 8: a conditional delegation needs the condition attested at each signature.
    if delegation.is_conditional and not attested:
        return 6, _(
            "L'arrêté n° %(n)s ne vaut qu'en cas d'absence ou d'empêchement du ministre : attestez-le pour signer."
        ) % {"n": number}
    return None


def signing_authority(
    *, user, category: ActCategory, day: datetime.date | None = None, attested: bool = False
) -> SigningAuthority:
    """Who ``user`` signs as, for an act of ``category`` on ``day``; ``SigningRefused`` if
    the law does not let them sign it."""
    day = day or timezone.localdate()
    # Rules 5 and 9: the minister in office always signs; the intérim holder signs « par intérim ».
    mandate = minister_mandate(user, day)
    if mandate is not None:
        if mandate.is_interim:
            return SigningAuthority(
                user=user,
                mode=SignatureItem.Mode.INTERIM,
                on_behalf_of=ordinary_minister(day) or user,
                delegation=None,
                title=mandate.position.title,
            )
        return SigningAuthority(
            user=user,
            mode=SignatureItem.Mode.MINISTRE,
            on_behalf_of=user,
            delegation=None,
            title=_printed_title(user, mandate),
        )
    # Rule 2: a non-delegable category is the minister's alone.
    if not category.is_delegable:
        raise SigningRefused(
            _("La catégorie « %(c)s » n'est pas délégable : seul le ministre en exercice peut signer.")
            % {"c": category.name}
        )
    best: tuple[int, str] | None = None
    for delegation in (
        Delegation.objects.filter(delegate=user)
        .select_related("delegator")
        .prefetch_related("categories")
        .order_by("-published_on", "-id")
    ):
        refusal = delegation_refusal(delegation, category=category, day=day, attested=attested)
        if refusal is None:
            return SigningAuthority(
                user=user,
                mode=SignatureItem.Mode.DELEGATION,
                on_behalf_of=delegation.delegator,
                delegation=delegation,
                title=_printed_title(user, subordinate_mandate(user, day)),
            )
        if best is None or refusal[0] > best[0]:
            best = refusal
    if best is not None:
        raise SigningRefused(best[1])
    raise SigningRefused(
        _("Vous n'êtes ni le ministre en exercice ni délégataire d'un arrêté de délégation de signature.")
    )


def signers_on(category: ActCategory, day: datetime.date) -> list[SigningAuthority]:
    """Everyone who could sign an act of ``category`` on ``day`` (the condition of a
    conditional arrêté being taken as attested), with the capacity and the arrêté."""
    signers: list[SigningAuthority] = []
    ordinary = ordinary_minister(day)
    for mandate in (
        Mandate.objects.in_force(day)
        .filter(position__kind=Role.MINISTRE, user__is_active=True)
        .select_related("user", "position")
        .order_by("is_interim", "start_date")
    ):
        interim = mandate.is_interim
        signers.append(
            SigningAuthority(
                user=mandate.user,
                mode=SignatureItem.Mode.INTERIM if interim else SignatureItem.Mode.MINISTRE,
                on_behalf_of=(ordinary or mandate.user) if interim else mandate.user,
                delegation=None,
                title=mandate.position.title if interim else _printed_title(mandate.user, mandate),
            )
        )
    if not category.is_delegable:
        return signers
    for delegation in (
        Delegation.objects.in_force_on(day)
        .filter(categories=category)
        .select_related("delegator", "delegate")
        .prefetch_related("categories")
        .order_by("number")
    ):
        if delegation_refusal(delegation, category=category, day=day, attested=True) is None:
            signers.append(
                SigningAuthority(
                    user=delegation.delegate,
                    mode=SignatureItem.Mode.DELEGATION,
                    on_behalf_of=delegation.delegator,
                    delegation=delegation,
                    title=_printed_title(delegation.delegate, subordinate_mandate(delegation.delegate, day)),
                )
            )
    return signers


def signature_block(item: SignatureItem) -> dict:
    """The lines printed above and under the signature (rule 7 and rule 9)."""
    if item.signing_mode == SignatureItem.Mode.DELEGATION:
        return {
            "heading": _("Pour le Ministre et par délégation,"),
            "role": item.signer_title,
            "name": item.signer_name,
        }
    if item.signing_mode == SignatureItem.Mode.INTERIM:
        return {"heading": _("Le Ministre par intérim,"), "role": item.signer_title, "name": item.signer_name}
    return {"heading": _("Le Ministre,"), "role": item.signer_title, "name": item.signer_name}
