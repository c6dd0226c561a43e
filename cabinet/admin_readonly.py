"""Read-only admin pages and inlines, shared by the apps: what the application's services
write (registers, histories, the agenda) is read in the admin, never written there."""

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


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model read in the admin: no add, change or delete (its services keep its rules)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
