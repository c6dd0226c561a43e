"""Reads of the delegations app, filtered by who asks, in SQL. An object the person may not
see is answered exactly like one that does not exist (``Http404``)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from cabinet.freshness import per_person
from cabinet.roles import Role
from cabinet.selectors import has_role

from .models import (
    Delegation,
    Directive,
    DirectiveUserObjectPermission,
    ExecutionReport,
    SignatureItem,
    SignatureItemUserObjectPermission,
    Transmission,
    VisaStep,
)

# Who runs the cabinet sees the whole signature book and every directive.
OVERSEERS = (Role.MINISTRE, Role.DIRECTEUR_CABINET)
# Who directives are transmitted to, to execute them.
RECIPIENT_ROLES = (Role.DIRECTEUR, Role.CHEF_SERVICE)
# Who directives reach: the overseers, the advisers who follow them up (``directive_create``
# gives them the right to transmit), the directors and heads of service who execute them.
DIRECTIVE_ROLES = (*OVERSEERS, Role.CONSEILLER, *RECIPIENT_ROLES)
DRAFT = "delegations.add_signatureitem"
CREATE_DIRECTIVE = "delegations.add_directive"


def _item_perm(user, codename: str | None = None):
    rows = SignatureItemUserObjectPermission.objects.filter(content_object=OuterRef("pk"), user=user)
    if codename:
        rows = rows.filter(permission__codename=codename)
    return Exists(rows)


def visible_items(user) -> QuerySet[SignatureItem]:
    items = SignatureItem.objects.select_related("category", "drafter", "signer", "delegation")
    if has_role(user, *OVERSEERS):
        return items
    return items.filter(_item_perm(user))


def access_item(user, pk: int) -> SignatureItem:
    item = visible_items(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def may_sign(user, item: SignatureItem) -> bool:
    """The row-level permission (the rules are checked again when signing)."""
    return SignatureItemUserObjectPermission.objects.filter(
        content_object=item, user=user, permission__codename="sign_signatureitem"
    ).exists()


def items_to_sign(user) -> QuerySet[SignatureItem]:
    """The book of a signatory: items at the signature stage he holds the permission for."""
    return (
        SignatureItem.objects.filter(state=SignatureItem.State.A_SIGNER)
        .filter(_item_perm(user, "sign_signatureitem"))
        .select_related("category", "drafter")
        .order_by("submitted_at", "id")
    )


def items_in_visa_signable(user) -> QuerySet[SignatureItem]:
    """Items still in visa that this person could take back and sign (the minister)."""
    return (
        SignatureItem.objects.filter(state=SignatureItem.State.EN_VISA)
        .filter(_item_perm(user, "sign_signatureitem"))
        .select_related("category", "drafter")
        .order_by("submitted_at", "id")
    )


def _current_step_of(user):
    earlier = VisaStep.objects.filter(
        item=OuterRef("item"), round=OuterRef("round"), state=VisaStep.State.EN_ATTENTE, order__lt=OuterRef("order")
    )
    return Exists(
        VisaStep.objects.filter(
            item=OuterRef("pk"), round=OuterRef("visa_round"), state=VisaStep.State.EN_ATTENTE, user=user
        ).filter(~Exists(earlier))
    )


def items_to_visa(user) -> QuerySet[SignatureItem]:
    return (
        SignatureItem.objects.filter(state=SignatureItem.State.EN_VISA)
        .filter(_current_step_of(user))
        .select_related("category", "drafter")
        .order_by("submitted_at", "id")
    )


def book_count(user) -> int:
    """How many items await this person in the signature book: to sign, plus at his visa
    step. The navigation's badge on every page, so written for the usual case: the sign
    permissions counted on guardian's table, and the visa steps looked at only when the person
    has one pending (two light queries; three for someone with a visa pending)."""
    to_sign = SignatureItemUserObjectPermission.objects.filter(
        user=user, permission__codename="sign_signatureitem", content_object__state=SignatureItem.State.A_SIGNER
    ).count()
    pending_visa = VisaStep.objects.filter(
        user=user,
        state=VisaStep.State.EN_ATTENTE,
        item__state=SignatureItem.State.EN_VISA,
        round=F("item__visa_round"),
    )
    return to_sign + (items_to_visa(user).count() if pending_visa.exists() else 0)


def book_waiting(user) -> int:
    """``book_count``, cached for the person until the next write (the navigation's badge)."""
    return per_person(user, "parapheur", lambda: book_count(user))


def uses_book(user, waiting: int) -> bool:
    """Who has business in the signature book: whoever may draft (the page's « Nouvelle
    pièce »: every post but the protocol's) and whoever an item awaits, to sign or to visa
    (``waiting``: ``book_waiting``, which the navigation shows as its badge anyway)."""
    return user.has_perm(DRAFT) or waiting > 0


def is_current_visa_holder(user, item: SignatureItem) -> bool:
    return items_to_visa(user).filter(pk=item.pk).exists()


def items_drafted(user) -> QuerySet[SignatureItem]:
    return (
        SignatureItem.objects.filter(drafter=user).select_related("category", "signer").order_by("-submitted_at", "-id")
    )


def items_signed(user, *, limit: int = 20) -> QuerySet[SignatureItem]:
    return visible_items(user).filter(state=SignatureItem.State.SIGNE).order_by("-signed_at")[:limit]


def item_by_code(code: str) -> SignatureItem | None:
    code = code.strip().upper()
    if not code:
        return None
    return (
        SignatureItem.objects.filter(state=SignatureItem.State.SIGNE, verification_code=code)
        .select_related("category", "signer", "on_behalf_of", "delegation")
        .first()
    )


# --- Arrêtés -------------------------------------------------------------------------------


def visible_delegations(user) -> QuerySet[Delegation]:
    qs = Delegation.objects.select_related("delegator", "delegate").prefetch_related("categories")
    if user.has_perm("delegations.view_register"):
        return qs
    return qs.filter(Q(delegate=user) | Q(delegator=user))


def access_delegation(user, pk: int) -> Delegation:
    delegation = visible_delegations(user).filter(pk=pk).first()
    if delegation is None:
        raise Http404
    return delegation


def delegations_in_force(day: datetime.date) -> QuerySet[Delegation]:
    """Arrêtés in force on ``day`` (published, within dates, not ended before that day)."""
    return (
        Delegation.objects.in_force_on(day)
        .select_related("delegator", "delegate")
        .prefetch_related("categories")
        .order_by("number")
    )


def delegations_ending_soon(user, *, days: int = 15) -> QuerySet[Delegation]:
    today = timezone.localdate()
    return (
        visible_delegations(user)
        .filter(
            state=Delegation.State.EN_VIGUEUR,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days),
        )
        .order_by("valid_until")
    )


# --- Directives ----------------------------------------------------------------------------


def visible_directives(user) -> QuerySet[Directive]:
    qs = Directive.objects.select_related("created_by")
    if has_role(user, *OVERSEERS):
        return qs
    return qs.filter(Exists(DirectiveUserObjectPermission.objects.filter(content_object=OuterRef("pk"), user=user)))


def access_directive(user, pk: int) -> Directive:
    directive = visible_directives(user).filter(pk=pk).first()
    if directive is None:
        raise Http404
    return directive


def _count_of(rows: QuerySet, outer: str) -> Coalesce:
    """How many of ``rows`` belong to the outer row: a subquery evaluated for the rows of the
    page only. A COUNT over a join would group the whole list before its LIMIT, and the index
    on the list's order could no longer stop the scan at the page's last row."""
    counted = rows.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def directive_list(user) -> QuerySet[Directive]:
    transmissions = Transmission.objects.all()
    return (
        visible_directives(user)
        .prefetch_related("advisers")
        .annotate(
            n_transmissions=_count_of(transmissions, "directive"),
            n_executed=_count_of(transmissions.filter(state=Transmission.State.EXECUTEE), "directive"),
        )
        .order_by("-issued_on", "-id")
    )


def transmissions_received(user) -> QuerySet[Transmission]:
    return (
        Transmission.objects.filter(recipient=user)
        .select_related("directive", "transmitted_by")
        .order_by("directive__deadline", "id")
    )


def directives_to_acknowledge(user) -> int:
    """Transmissions received and not yet acknowledged, cached for the person until the next
    write (the navigation's badge)."""
    return per_person(
        user, "directives", lambda: transmissions_received(user).filter(state=Transmission.State.TRANSMISE).count()
    )


def uses_directives(user, to_acknowledge: int) -> bool:
    """Who has business on the directives page: whoever may record one (the page's « Nouvelle
    directive »), holds a post directives reach (``DIRECTIVE_ROLES``: what the page lists is
    theirs) or still has one to acknowledge (``to_acknowledge``: ``directives_to_acknowledge``,
    the navigation's badge)."""
    return has_role(user, *DIRECTIVE_ROLES) or user.has_perm(CREATE_DIRECTIVE) or to_acknowledge > 0


def execution_board() -> QuerySet[Transmission]:
    """Every transmission, with its directive, recipient and state (directeur, minister)."""
    return (
        Transmission.objects.select_related("directive", "recipient", "transmitted_by")
        .annotate(n_reports=_count_of(ExecutionReport.objects.all(), "transmission"))
        .order_by("directive__deadline", "directive_id", "id")
    )


def execution_board_counts(today: datetime.date) -> dict[str, int]:
    """The board's tiles over every transmission, not only the page shown, in one query: how
    many in each state, and how many late (``Transmission.is_late``: not executed, deadline
    passed)."""
    executed = Transmission.State.EXECUTEE
    return Transmission.objects.aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in Transmission.State.values},
        late=Count("pk", filter=~Q(state=executed) & Q(directive__deadline__lt=today)),
    )


def access_transmission(user, pk: int) -> Transmission:
    transmission = (
        Transmission.objects.filter(pk=pk, directive__in=visible_directives(user))
        .select_related("directive", "recipient")
        .first()
    )
    if transmission is None:
        raise Http404
    return transmission
