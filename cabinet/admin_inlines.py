"""Inlines shared by the apps' admin pages."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """A history shown under its object: read, never added to, changed or deleted here (the
    application's services write it)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
