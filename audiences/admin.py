from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from cabinet.admin_readonly import ReadOnlyAdmin, ReadOnlyInline

from .models import AgendaSlot, Audience, AudienceEvent, Participant, Place, Unavailability, UnavailabilityEvent
from .services import audience_shown_changed, audiences_place_renamed


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            audiences_place_renamed(place=obj)  # the events' location


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


class EventInline(ReadOnlyInline):
    model = AudienceEvent
    fields = ["kind", "actor", "at", "comment", "old_starts_at", "new_starts_at"]


@admin.register(Audience)
class AudienceAdmin(GuardedModelAdmin):
    """Read-mostly: states change through the application's pages (and their services)."""

    list_display = ["__str__", "state", "starts_at", "place", "is_confidential"]
    list_filter = ["state", "is_confidential", "place"]
    search_fields = ["purpose", "on_behalf_of", "requester__name"]
    readonly_fields = ["state", "starts_at", "ends_at", "sequence", "programmed_at", "confirmed_at", "confirmed_by"]
    inlines = [ParticipantInline, EventInline]

    def save_model(self, request, obj, form, change):
        # The requester, purpose, place… may be corrected here: the feed's event then changes.
        if change:
            audience_shown_changed(audience=obj, changed=form.changed_data)
        super().save_model(request, obj, form, change)


class UnavailabilityEventInline(ReadOnlyInline):
    model = UnavailabilityEvent
    fields = ["action", "actor", "at", "comment", "old_starts_at", "new_starts_at"]


@admin.register(Unavailability)
class UnavailabilityAdmin(ReadOnlyAdmin):
    """Read only: blocks are made, corrected and lifted on the agenda's pages, whose services
    check overlaps, keep the history and raise the feed's revision (an edit here did none)."""

    list_display = ["title", "kind", "starts_at", "ends_at", "is_cancelled"]
    inlines = [UnavailabilityEventInline]


@admin.register(AgendaSlot)
class AgendaSlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_at", "ends_at", "occupied_until"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
