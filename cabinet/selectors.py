"""Reads about the organisation: who holds what, and what a person may do today."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from .models import Mandate, Notification
from .roles import Role

User = get_user_model()

_ROLES_CACHE_ATTR = "_cabinet_roles_cache"


def mandates_in_force(*, day: datetime.date | None = None) -> QuerySet[Mandate]:
    return Mandate.objects.in_force(day).select_related("user", "position", "position__unit")


def roles_of(user, *, day: datetime.date | None = None) -> frozenset[str]:
    """The roles a person holds on ``day`` through mandates in force; cached on the user
    object for the request (keyed by day)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    day = day or timezone.localdate()
    cache = getattr(user, _ROLES_CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _ROLES_CACHE_ATTR, cache)
    if day not in cache:
        cache[day] = frozenset(Mandate.objects.in_force(day).filter(user=user).values_list("position__kind", flat=True))
    return cache[day]


def forget_roles(user) -> None:
    """Drop the per-object roles cache (after a mandate change in the same request)."""
    if hasattr(user, _ROLES_CACHE_ATTR):
        delattr(user, _ROLES_CACHE_ATTR)


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
