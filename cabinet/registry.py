"""What each domain app adds to the shared pages: navigation entries and dashboard panels.

A domain app may define ``<app>/ui.py`` with:

- ``nav_items(user) -> list[NavItem]``: entries of the top navigation the person may use;
- ``dashboard_panels(request) -> list[Panel]``: panels of the home page (tableau de bord),
  each a template and its context, already filtered by what the person may see;
- ``picks_correspondents(user) -> bool``: whether the app gives this person a form where
  correspondents are chosen with the directory's picker (its as-you-type lookup answers them);
- ``correspondent_renamed(correspondent)``: told when a correspondent's name or acronym
  changed, for what the app shows of it beyond a page read afresh (the audiences' calendar
  feed, whose events phones keep until their revision rises);
- ``correspondent_merged(duplicate, into, actor)``: told, inside the merge's transaction, that
  ``actor`` merged ``duplicate`` into ``into``, for what the app points at with the duplicate
  or an entry merged into it earlier (an audience's requester); those entries still point to
  ``duplicate`` when told, and to ``into`` once the merge is done.

The cabinet app calls them for the apps in ``settings.CABINET_DOMAIN_APPS``, in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType

from django.conf import settings


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    # Path prefix that marks the entry as the current section, or several (an entry whose pages
    # are not under one prefix). A page in no section marks the entry whose ``url`` it is (the
    # dashboard; the signature book, at its app's root: a section "/delegations/" would take in
    # the directives too).
    section: str | tuple[str, ...] = ""
    badge: int | None = None


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    # Smaller numbers come first on the dashboard.
    order: int = 100


def _ui_modules() -> list[ModuleType]:
    modules = []
    for app in settings.CABINET_DOMAIN_APPS:
        try:
            modules.append(import_module(f"{app}.ui"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.ui":
                raise
    return modules


def nav_items(user) -> list[NavItem]:
    items: list[NavItem] = []
    for module in _ui_modules():
        if hasattr(module, "nav_items"):
            items.extend(module.nav_items(user))
    return items


def dashboard_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for module in _ui_modules():
        if hasattr(module, "dashboard_panels"):
            panels.extend(module.dashboard_panels(request))
    return sorted(panels, key=lambda p: p.order)


def may_pick_correspondents(user) -> bool:
    """Whether some app gives this person a form that picks correspondents (the register's
    forms, an audience request…): the directory's lookup serves them and nobody else."""
    return any(module.picks_correspondents(user) for module in _ui_modules() if hasattr(module, "picks_correspondents"))


def correspondent_renamed(correspondent) -> None:
    """Tell the apps that a correspondent's name or acronym changed (the register's directory
    cannot know who else shows it)."""
    for module in _ui_modules():
        if hasattr(module, "correspondent_renamed"):
            module.correspondent_renamed(correspondent)


def correspondent_merged(duplicate, into, actor) -> None:
    """Tell the apps that ``actor`` merged ``duplicate`` into ``into`` (the register's directory
    cannot know who else points to a correspondent)."""
    for module in _ui_modules():
        if hasattr(module, "correspondent_merged"):
            module.correspondent_merged(duplicate, into, actor)
