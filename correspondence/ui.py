"""What the correspondence register adds to the shared pages (see cabinet/registry.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cabinet.freshness import per_person
from cabinet.registry import NavItem

from . import selectors


def nav_items(user) -> list[NavItem]:
    items = []
    # Everyone with a mandate may have mail routed to them (directors, heads of service).
    if selectors.uses_register(user):
        # Bounded: the badge stops at 100 rather than counting thousands on every page.
        count = per_person(user, "a-traiter", lambda: selectors.my_imputations_count(user, limit=100))
        items.append(
            NavItem(
                label=_("À traiter"),
                url=reverse("correspondence:my_work"),
                # No section of its own: "Courrier" (/courrier/) already marks these pages,
                # and two highlighted entries would read as two places.
                section="",
                badge=count or None,
            )
        )
        items.append(NavItem(label=_("Courrier"), url=reverse("correspondence:mail_list"), section="/courrier/"))
    return items


def picks_correspondents(user) -> bool:
    """The register's forms choose senders and recipients in the directory."""
    return selectors.uses_register(user)


# --- Dashboard (outputs of the register; the panel itself is in dashboard.py) -----------------
def dashboard_panels(request) -> list:
    from .dashboard import correspondence_panel

    panel = correspondence_panel(request)
    return [panel] if panel else []
