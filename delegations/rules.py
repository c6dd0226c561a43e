"""The law of signature, checked at the moment of signing (domain brief, rules 1–10).

``signing_authority`` answers "may this person sign an act of this category today, and in
what capacity?"; it raises ``SigningRefused`` with the French reason otherwise. The signing
service calls it inside the transaction that records the signature, so a stale permission
can never produce a signature. ``signers_on`` lists everyone who could sign on a day (the
register, and the row-level permissions of the signature book).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.models import Mandate, MandateQuerySet, OrgUnit
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


def _mandates_of(users: Iterable) -> MandateQuerySet:
    """The mandates that may make these people signers: only an active account signs."""
    return Mandate.objects.filter(user__in=users, user__is_active=True).select_related("position", "position__unit")


def _by_precedence(mandates: Iterable[Mandate]) -> list[Mandate]:
    """Ordinary mandates before intérims, then the latest first."""
    return sorted(mandates, key=lambda m: (m.is_interim, -m.start_date.toordinal(), m.pk))


class PreReadMandates:
    """The mandates of the people named by many arrêtés, read at once, so that checking
    each arrêté asks the database nothing more (``signers_on``). The look-ups below choose
    among them exactly as they choose among the mandates they read themselves."""

    def __init__(self, users: Iterable, days: Iterable[datetime.date]):
        users, days = set(users), set(days)
        self._by_user: dict[int, list[Mandate]] = {}
        if not users or not days:
            return
        mandates = list(_mandates_of(users).overlapping(min(days), max(days)))
        # The whole organisation chart (only what ``in_ministry`` reads), so that it walks
        # each post's ancestors without a query per level.
        units = {unit.pk: unit for unit in OrgUnit.objects.only("kind", "parent").order_by()}
        for unit in units.values():
            unit.parent = units.get(unit.parent_id)
        for mandate in mandates:
            mandate.position.unit = units[mandate.position.unit_id]
            self._by_user.setdefault(mandate.user_id, []).append(mandate)

    def in_force(self, user, day: datetime.date) -> list[Mandate]:
        return [m for m in self._by_user.get(user.pk, ()) if m.is_in_force(day)]


def _mandates_in_force(user, day: datetime.date, mandates: PreReadMandates | None) -> list[Mandate]:
    """The person's mandates in force on ``day``, by precedence: from ``mandates`` if given,
    else read now."""
    found = mandates.in_force(user, day) if mandates is not None else _mandates_of([user]).in_force(day)
    return _by_precedence(found)


def minister_mandate(user, day: datetime.date, *, mandates: PreReadMandates | None = None) -> Mandate | None:
    """The person's mandate on the minister's post on ``day`` (ordinary first, then intérim)."""
    return next((m for m in _mandates_in_force(user, day, mandates) if m.position.kind == Role.MINISTRE), None)


def in_ministry(unit: OrgUnit) -> bool:
    return unit.kind == OrgUnit.Kind.MINISTRY or any(a.kind == OrgUnit.Kind.MINISTRY for a in unit.ancestors())


def subordinate_mandate(user, day: datetime.date, *, mandates: PreReadMandates | None = None) -> Mandate | None:
    """A mandate in force on ``day`` that makes the person a subordinate of the minister:
    a post of the cabinet or of the ministry's services, other than the minister's own."""
    for mandate in _mandates_in_force(user, day, mandates):
        if mandate.position.kind != Role.MINISTRE and in_ministry(mandate.position.unit):
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
    mandates: PreReadMandates | None = None,
) -> tuple[int, str] | None:
    """Why ``delegation`` does not let its delegate sign this act on ``day`` (None: it does).

    The first number ranks how far the arrêté went through the checks, so that the reason
    given to the signer is the one of the arrêté that came closest. ``mandates``: the
    mandates of the delegator and the delegate on ``day`` and on ``signed_on``, if already
    read (else each check reads its own)."""
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
    if minister_mandate(delegation.delegator, delegation.signed_on, mandates=mandates) is None:
        return 4, _("L'arrêté n° %(n)s n'émane pas du ministre : la subdélégation de signature est interdite.") % {
            "n": number
        }
    # Rule 3: it binds named persons, and lapses when either leaves the post.
    if minister_mandate(delegation.delegator, day, mandates=mandates) is None:
        return 5, _("L'arrêté n° %(n)s est caduc : %(who)s n'est plus ministre à cette date.") % {
            "n": number,
            "who": delegation.delegator,
        }
    if subordinate_mandate(delegation.delegate, day, mandates=mandates) is None:
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
    delegations = list(
        Delegation.objects.in_force_on(day)
        .filter(categories=category)
        .select_related("delegator", "delegate")
        .prefetch_related("categories")
        .order_by("number")
    )
    # The same checks as at signing time, on mandates read once for all the arrêtés.
    mandates = PreReadMandates(
        users=[person for d in delegations for person in (d.delegator, d.delegate)],
        days=[day, *(d.signed_on for d in delegations)],
    )
    for delegation in delegations:
        if delegation_refusal(delegation, category=category, day=day, attested=True, mandates=mandates) is None:
            delegate_mandate = subordinate_mandate(delegation.delegate, day, mandates=mandates)
            signers.append(
                SigningAuthority(
                    user=delegation.delegate,
                    mode=SignatureItem.Mode.DELEGATION,
                    on_behalf_of=delegation.delegator,
                    delegation=delegation,
                    title=_printed_title(delegation.delegate, delegate_mandate),
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
