"""Reads about the organisation: who holds what, and what a person may do today."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from .freshness import per_person
from .models import Mandate, Notification
from .roles import Role

User = get_user_model()

_HELD_CACHE_ATTR = "_cabinet_held_cache"


@dataclass(frozen=True)
class HeldPosition:
    """What one mandate in force gives: the position's kind (the role), its unit, and
    whether the position requires a second factor."""

    kind: str
    unit_id: int
    requires_otp: bool


def mandates_in_force(*, day: datetime.date | None = None) -> QuerySet[Mandate]:
    return Mandate.objects.in_force(day).select_related("user", "position", "position__unit")


def positions_held(user, *, day: datetime.date | None = None) -> tuple[HeldPosition, ...]:
    """The positions a person holds on ``day`` through mandates in force (intérim included):
    one query per person and day, cached on the user object for the request. Roles, units and
    the second-factor rule all read it."""
    if user is None or not user.is_authenticated:
        return ()
    day = day or timezone.localdate()
    cache = getattr(user, _HELD_CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _HELD_CACHE_ATTR, cache)
    if day not in cache:

        def held() -> tuple[HeldPosition, ...]:
            rows = (
                Mandate.objects.in_force(day)
                .filter(user=user)
                .order_by("start_date", "id")
                .values_list("position__kind", "position__unit_id", "position__requires_otp")
            )
            return tuple(HeldPosition(*row) for row in rows)

        # Today's, the one every request asks, also across requests (until a write anywhere
        # or midnight: cabinet.freshness).
        cache[day] = per_person(user, "positions", held) if day == timezone.localdate() else held()
    return cache[day]


def roles_of(user, *, day: datetime.date | None = None) -> frozenset[str]:
    """The roles a person holds on ``day`` through mandates in force."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(held.kind for held in positions_held(user, day=day))


def unit_ids_of(user, *, day: datetime.date | None = None) -> list[int]:
    """The units of the positions a person holds on ``day``, each once."""
    return list(dict.fromkeys(held.unit_id for held in positions_held(user, day=day)))


def forget_roles(user) -> None:
    """Drop the per-object cache of positions held (after a mandate change in the same request)."""
    if hasattr(user, _HELD_CACHE_ATTR):
        delattr(user, _HELD_CACHE_ATTR)


def has_role(user, *roles: str, day: datetime.date | None = None) -> bool:
    return bool(roles_of(user, day=day) & set(roles))


def holders_of(role: str, *, day: datetime.date | None = None) -> QuerySet:
    """People holding a position of this kind on ``day`` (intérim included)."""
    day = day or timezone.localdate()
    user_ids = Mandate.objects.in_force(day).filter(position__kind=role).values("user_id")
    return User.objects.filter(id__in=user_ids, is_active=True)


def minister_in_office(*, day: datetime.date | None = None):
    """The minister on ``day``: the ordinary holder, or failing that the intérim holder."""
    mandates = (
        Mandate.objects.in_force(day)
        .filter(position__kind=Role.MINISTRE, user__is_active=True)
        .select_related("user")
        .order_by("is_interim", "-start_date")
    )
    first = mandates.first()
    return first.user if first else None


def user_mandates(user) -> QuerySet[Mandate]:
    return Mandate.objects.filter(user=user).select_related("position", "position__unit")


def unread_notifications_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user, *, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at")[:limit]
