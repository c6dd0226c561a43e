from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from .models import Holiday, Mandate, Notification, OrgUnit, Position, User, conflict_message


class MandateInlineFormSet(forms.BaseInlineFormSet):
    """Catch two rows of the same submission that overlap each other (each row is already
    checked against the database by Mandate.clean)."""

    def clean(self) -> None:
        super().clean()
        rows = [
            f.instance
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.instance.position_id
        ]
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                if a.position_id != b.position_id or a.is_interim != b.is_interim:
                    continue
                if not (a.is_interim or a.position.is_single_holder):
                    continue
                a_end, b_end = a.end_date, b.end_date
                if (a_end is None or a_end >= b.start_date) and (b_end is None or b_end >= a.start_date):
                    raise ValidationError(conflict_message(a))


class MandateInline(admin.TabularInline):
    model = Mandate
    formset = MandateInlineFormSet
    extra = 0
    fields = ("position", "start_date", "end_date", "is_interim", "act_reference")
    autocomplete_fields = ("position",)
    fk_name = "user"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MandateInline]
    list_display = ("username", "last_name", "first_name", "email", "is_active", "current_positions")
    list_filter = ("is_active", "groups", "mandates__position__kind")
    search_fields = ("username", "first_name", "last_name", "email", "title")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Fonction"), {"fields": ("civility", "title", "phone")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("mandates__position")

    @admin.display(description=_("postes en cours"))
    def current_positions(self, obj) -> str:
        return ", ".join(str(m.position) for m in obj.mandates.all() if m.is_in_force()) or "—"


@admin.register(OrgUnit)
class OrgUnitAdmin(GuardedModelAdmin):
    list_display = ("name", "acronym", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "acronym")
    autocomplete_fields = ("parent",)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "unit", "domain", "requires_otp", "is_active")
    list_filter = ("kind", "requires_otp", "is_active", "unit")
    search_fields = ("title", "domain", "unit__name")
    autocomplete_fields = ("unit",)


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ("user", "position", "start_date", "end_date", "is_interim", "act_reference")
    list_filter = ("is_interim", "position__kind", "position__unit")
    search_fields = ("user__username", "user__last_name", "user__first_name", "position__title")
    autocomplete_fields = ("user", "position")
    date_hierarchy = "start_date"
    list_select_related = ("user", "position")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "created_at", "read_at", "emailed_at", "attempts")
    list_filter = ("read_at", "emailed_at")
    search_fields = ("subject", "recipient__username")
    list_select_related = ("recipient",)
    readonly_fields = ("created_at", "emailed_at", "attempts")
