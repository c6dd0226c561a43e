"""Administration of the register's reference lists; mail and imputations are read-only here
(every change goes through the application, which keeps the timeline and the chain hash), and
confidential or secret mail stays hidden from whoever may not see it in the application."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cabinet.admin_readonly import ReadOnlyAdmin
from cabinet.registry import correspondent_renamed

from .models import ArrivalChannel, Correspondent, Imputation, Mail, MailKind
from .selectors import visible_mails
from .services import correspondent_merge, require_mergeable


@admin.register(MailKind, ArrivalChannel)
class AdminListAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "order", "is_active")
    list_editable = ("order", "is_active")
    search_fields = ("label", "code")
    prepopulated_fields = {"code": ("label",)}

    def has_delete_permission(self, request, obj=None):
        # Registered mail points to these rows: deactivate instead.
        return False


class CorrespondentAdminForm(forms.ModelForm):
    """The admin's form (its fields from ``CorrespondentAdmin``): a merge refused as on the
    directory's page, next to « Fusionné dans »."""

    def clean_merged_into(self):
        into = self.cleaned_data["merged_into"]
        if into is not None and into.pk != self.instance.merged_into_id:
            try:
                require_mergeable(duplicate=self.instance, into=into)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["into"]) from None
        return into


@admin.register(Correspondent)
class CorrespondentAdmin(admin.ModelAdmin):
    form = CorrespondentAdminForm
    list_display = ("name", "acronym", "kind", "country", "is_active", "merged_into")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "acronym", "country")
    raw_id_fields = ("merged_into",)
    readonly_fields = ("created_at",)

    def save_model(self, request, obj, form, change):
        # « Fusionné dans » filled in here is the directory's merge: the other changes are
        # saved, then the service merges (it deactivates the entry, adds its name to the
        # letters' search, and the audiences it requested follow the survivor). Emptied, the
        # entry is only un-merged: what followed the survivor stays with it.
        into = obj.merged_into if "merged_into" in form.changed_data else None
        if into is not None:
            obj.merged_into_id = form.initial.get("merged_into")
        super().save_model(request, obj, form, change)
        if change and {"name", "acronym"} & set(form.changed_data):
            correspondent_renamed(obj)  # shown elsewhere under its old name (calendar feed)
        if into is not None:
            correspondent_merge(duplicate=obj, into=into, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


def _admin_visible_mails(request):
    return Mail.objects.filter(
        Q(confidentiality=Mail.Confidentiality.ORDINAIRE) | Q(pk__in=visible_mails(request.user).values("pk"))
    )


@admin.register(Mail)
class MailAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "registered_at",
        "correspondent",
        "subject",
        "state",
        "confidentiality",
        "cancelled_at",
    )
    list_filter = ("register", "year", "state", "confidentiality", "priority", "kind")
    search_fields = ("reference", "subject", "sender_reference")
    list_select_related = ("correspondent",)
    date_hierarchy = "registered_at"
    exclude = ("search_vector",)
    # No second COUNT(*) of the whole register for "N au total" (docs/performance.md, item 10).
    show_full_result_count = False

    def get_queryset(self, request):
        return _admin_visible_mails(request)


@admin.register(Imputation)
class ImputationAdmin(ReadOnlyAdmin):
    list_display = ("mail", "assignee", "assignee_unit", "instruction", "deadline", "state")
    list_filter = ("state", "instruction")
    list_select_related = ("mail", "assignee", "assignee_unit")
    search_fields = ("mail__reference",)
    verbose_name = _("imputation")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(mail__in=_admin_visible_mails(request))
