"""Model permissions that follow from the roles a person holds today.

Only mandates in force give rights: the backend computes a person's permissions from their
roles on the current day (in Lomé), so an ended mandate stops giving rights at midnight with
no group to edit. Object permissions are django-guardian's business (ObjectPermissionBackend).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.conf import settings

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

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
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
