from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import AgendaSlot, Audience, AudienceEvent, Participant, Place, Unavailability


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


class EventInline(admin.TabularInline):
    model = AudienceEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "at", "comment", "old_starts_at", "new_starts_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Audience)
class AudienceAdmin(GuardedModelAdmin):
    """Read-mostly: states change through the application's pages (and their services)."""

    list_display = ["__str__", "state", "starts_at", "place", "is_confidential"]
    list_filter = ["state", "is_confidential", "place"]
    search_fields = ["purpose", "on_behalf_of", "requester__name"]
    readonly_fields = ["state", "starts_at", "ends_at", "sequence", "programmed_at", "confirmed_at", "confirmed_by"]
    inlines = [ParticipantInline, EventInline]


@admin.register(Unavailability)
class UnavailabilityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "ends_at", "is_cancelled"]
    readonly_fields = ["starts_at", "ends_at", "is_cancelled"]


@admin.register(AgendaSlot)
class AgendaSlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_at", "ends_at", "occupied_until"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
