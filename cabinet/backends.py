"""Model permissions that follow from the roles a person holds today.

Only mandates in force give rights: the backend computes a person's permissions from their
roles on the current day (in Lomé), so an ended mandate stops giving rights at midnight with
no group to edit. Object permissions are django-guardian's business (ObjectPermissionBackend).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth import backends as auth_backends
from django.contrib.auth.models import Permission
from django.db.models import Q

from .freshness import per_person
from .roles import ROLE_PERMISSIONS as CABINET_ROLE_PERMISSIONS
from .selectors import roles_of


@cache
def role_permissions() -> dict[str, frozenset[str]]:
    """Merge ``ROLE_PERMISSIONS`` from cabinet.roles and each domain app's roles module."""
    merged: dict[str, set[str]] = {}
    tables = [CABINET_ROLE_PERMISSIONS]
    for app in settings.CABINET_DOMAIN_APPS:
        try:
            module = import_module(f"{app}.roles")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.roles":
                raise
            continue
        tables.append(getattr(module, "ROLE_PERMISSIONS", {}))
    for table in tables:
        for role, perms in table.items():
            merged.setdefault(str(role), set()).update(perms)
    return {role: frozenset(perms) for role, perms in merged.items()}


def permissions_for_roles(roles) -> frozenset[str]:
    table = role_permissions()
    perms: set[str] = set()
    for role in roles:
        perms |= table.get(role, frozenset())
    return frozenset(perms)


class MandateBackend:
    """Answers ``user.has_perm("app.codename")`` from today's mandates."""

    # No get_user(): a session is never this backend's (Client.force_login and login() pick the
    # first backend that has one, which must be the model backend that authenticated).
    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None) -> frozenset[str]:
        if obj is not None:
            return frozenset()
        return permissions_for_roles(roles_of(user_obj))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if obj is not None or not user_obj.is_active:
            return False
        return perm in self.get_all_permissions(user_obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(p.startswith(app_label + ".") for p in self.get_all_permissions(user_obj))


class ModelBackend(auth_backends.ModelBackend):
    """Django's model backend, reading a person's own and group permissions in one query
    instead of two: the navigation asks on every page."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):

            def read() -> set[str]:
                rows = (
                    Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
                    .values_list("content_type__app_label", "codename")
                    .distinct()
                )
                return {f"{app_label}.{codename}" for app_label, codename in rows}

            user_obj._perm_cache = per_person(user_obj, "permissions", read)
        return user_obj._perm_cache
