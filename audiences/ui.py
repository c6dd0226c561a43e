"""What audiences add to the shared pages: the navigation entry and the dashboard panels."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cabinet.registry import NavItem, Panel

from .roles import CONFIRM, PROGRAMME, RECORD, VIEW_AGENDA
from .selectors import awaiting_confirmation, next_audiences, requests_to_study
from .services import audiences_requester_merged, audiences_requester_renamed


def nav_items(user) -> list[NavItem]:
    if user.has_perm(VIEW_AGENDA):
        return [NavItem(_("Agenda"), reverse("audiences:week"), section="/audiences/")]
    if user.has_perm(CONFIRM):
        badge = awaiting_confirmation(user).count() or None
        return [NavItem(_("Audiences"), reverse("audiences:protocol"), section="/audiences/", badge=badge)]
    if user.has_perm(RECORD):
        return [NavItem(_("Audiences"), reverse("audiences:list"), section="/audiences/")]
    return []


def picks_correspondents(user) -> bool:
    """Who records or corrects a request chooses its requester in the directory, mandate or
    not (``audiences.add_audience`` may be given on its own)."""
    return user.has_perm(RECORD)


def correspondent_renamed(correspondent) -> None:
    """The calendar feed titles an audience with its requester's name: a new revision."""
    audiences_requester_renamed(correspondent=correspondent)


def correspondent_merged(duplicate, into, actor) -> None:
    """The audiences requested by the duplicate name the surviving entry, with a history line."""
    audiences_requester_merged(duplicate=duplicate, into=into, actor=actor)


def dashboard_panels(request) -> list[Panel]:
    user = request.user
    panels = []
    if user.has_perm(VIEW_AGENDA) or user.has_perm(CONFIRM):
        panels.append(
            Panel(
                "audiences/panels/next.html",
                {"audiences": list(next_audiences(user, limit=6))},
                order=30,
            )
        )
    if user.has_perm(CONFIRM) or user.has_perm(PROGRAMME):
        waiting = awaiting_confirmation(user)
        panels.append(
            Panel(
                "audiences/panels/awaiting.html",
                {"audiences": list(waiting[:6]), "count": waiting.count(), "is_protocol": user.has_perm(CONFIRM)},
                order=31,
            )
        )
    if user.has_perm(PROGRAMME) or user.has_perm(RECORD):
        study = requests_to_study(user)
        panels.append(
            Panel(
                "audiences/panels/requests.html",
                {"audiences": list(study[:6]), "count": study.count(), "can_record": user.has_perm(RECORD)},
                order=32,
            )
        )
    return panels
