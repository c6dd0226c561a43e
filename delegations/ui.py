"""What the delegations app adds to the shared pages: its navigation entries and the
dashboard panels (items to sign or to visa, arrêtés ending soon, directives to acknowledge
or late), each already filtered for the person."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.registry import NavItem, Panel

from . import selectors
from .models import Transmission


def nav_items(user) -> list[NavItem]:
    """Each entry for those who have business on its page (a person given only an audiences
    right, say, has neither)."""
    items = []
    # Each count read once (without a shared cache, each read is its queries): it decides
    # whether the entry shows and is its badge.
    to_sign = selectors.book_waiting(user)
    if selectors.uses_book(user, to_sign):
        items.append(
            NavItem(
                _("Parapheur"),
                reverse("delegations:book"),
                # The arrêtés, their register and the signature check are in the book's sub-navigation.
                section=(
                    "/delegations/parapheur/",
                    "/delegations/arretes/",
                    "/delegations/registre/",
                    "/delegations/verifier/",
                ),
                badge=to_sign or None,
            )
        )
    to_acknowledge = selectors.directives_to_acknowledge(user)
    if selectors.uses_directives(user, to_acknowledge):
        items.append(
            NavItem(
                _("Directives"),
                reverse("delegations:directive_list"),
                # A transmission's pages (acknowledge, report) are a directive's.
                section=("/delegations/directives/", "/delegations/transmissions/"),
                badge=to_acknowledge or None,
            )
        )
    return items


def dashboard_panels(request) -> list[Panel]:
    user = request.user
    today = timezone.localdate()
    to_sign = list(selectors.items_to_sign(user)[:10])
    to_visa = list(selectors.items_to_visa(user)[:10])
    panels = []
    if to_sign or to_visa:
        panels.append(Panel("delegations/panels/book.html", {"to_sign": to_sign, "to_visa": to_visa}, order=10))
    ending = list(selectors.delegations_ending_soon(user))
    if ending:
        panels.append(Panel("delegations/panels/ending.html", {"delegations": ending}, order=20))
    received = list(selectors.transmissions_received(user).exclude(state=Transmission.State.EXECUTEE)[:10])
    to_ack = [t for t in received if t.state == Transmission.State.TRANSMISE]
    late = [t for t in received if t.directive.deadline < today]
    board_late = 0
    if user.has_perm("delegations.view_execution_board"):
        board_late = (
            Transmission.objects.exclude(state=Transmission.State.EXECUTEE)
            .filter(directive__deadline__lt=today)
            .count()
        )
    if to_ack or late or board_late:
        panels.append(
            Panel(
                "delegations/panels/directives.html",
                {"to_ack": to_ack, "late": late, "board_late": board_late},
                order=30,
            )
        )
    return panels
