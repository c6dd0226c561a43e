"""Administration: the act categories are edited here; arrêtés and signatures are legal
records, shown read-only (they are written by the app's pages, which apply the rules)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cabinet.admin_readonly import ReadOnlyInline

from .models import ActCategory, Delegation, DelegationEvent, Directive, SignatureItem, SignatureItemEvent, Transmission


@admin.register(ActCategory)
class ActCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_delegable", "is_active")
    list_filter = ("is_delegable", "is_active")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}

    def has_delete_permission(self, request, obj=None) -> bool:
        # A category used by an act or an arrêté stays (deactivate it instead).
        if obj is not None and (obj.items.exists() or obj.delegations.exists()):
            return False
        return super().has_delete_permission(request, obj)


class DelegationEventInline(ReadOnlyInline):
    model = DelegationEvent
    fields = ("at", "action", "actor", "note")


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("number", "signed_on", "delegate", "state", "valid_from", "valid_until", "published_on")
    list_filter = ("state", "is_conditional")
    search_fields = ("number", "delegate__last_name", "publication_reference")
    date_hierarchy = "signed_on"
    inlines = [DelegationEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["categories"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SignatureItemEventInline(ReadOnlyInline):
    model = SignatureItemEvent
    fields = ("at", "action", "actor", "note")


@admin.register(SignatureItem)
class SignatureItemAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "drafter", "state", "signer", "signing_mode", "signed_at")
    list_filter = ("state", "signing_mode", "category")
    search_fields = ("title", "verification_code")
    inlines = [SignatureItemEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TransmissionInline(ReadOnlyInline):
    model = Transmission
    fields = ("recipient", "transmitted_by", "transmitted_at", "state", "acknowledged_at", "executed_at")


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    list_display = ("subject", "issued_on", "deadline", "domain")
    search_fields = ("subject", "text")
    date_hierarchy = "issued_on"
    filter_horizontal = ("advisers",)
    readonly_fields = ("created_by", "created_at")
    inlines = [TransmissionInline]
    fieldsets = (
        (None, {"fields": ("subject", "text", "issued_on", "deadline", "domain", "advisers")}),
        (_("Enregistrement"), {"fields": ("created_by", "created_at")}),
    )

    def has_add_permission(self, request) -> bool:
        return False  # recorded from the app's page, which grants the right to transmit
