"""Forms of the audiences pages. They parse and validate input; the rules live in services."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from cabinet.pagination import whole_number
from cabinet.roles import Role
from cabinet.selectors import holders_of
from cabinet.widgets import FrenchDateField, FrenchDateTimeField, FrenchTimeField
from correspondence.forms import CorrespondentPicker
from correspondence.models import Correspondent, Mail, Register
from correspondence.selectors import can_manage_correspondents, visible_mails

from .models import PROTOCOL_FIELDS, SCHEDULED_CORRECTABLE_FIELDS, Audience, AudienceState, Place, Unavailability
from .services import REQUEST_FIELDS, last_event


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class LetterReferenceField(forms.CharField):
    """The incoming letter typed by its register number (« A-2026-00012 »), not chosen in a
    list of every letter the person may see (hundreds of thousands in a register never
    purged): one lookup on the unique index of the reference. A letter that does not exist
    and one the person may not see get the same message."""

    default_error_messages = {
        "unknown": _(
            "Aucun courrier arrivé portant ce numéro ne figure parmi ceux que vous pouvez consulter. "
            "Vérifiez le numéro d'enregistrement."
        ),
    }

    def __init__(self, *, letters: QuerySet[Mail] | None = None, **kwargs):
        kwargs.setdefault("max_length", Mail._meta.get_field("reference").max_length)
        super().__init__(**kwargs)
        self.letters = letters if letters is not None else Mail.objects.none()

    def clean(self, value) -> Mail | None:
        reference = super().clean(value)
        if not reference:
            return None
        # As typed, or in capitals: « a-2026-00012 » is A-2026-00012. Unordered: the unique
        # index finds the row, nothing to sort.
        found = list(self.letters.filter(reference__in={reference, reference.upper()}).order_by()[:1])
        if not found:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return found[0]


def incoming_letters(user) -> QuerySet[Mail]:
    """The incoming letters ``user`` may see: those a request may be linked to."""
    return visible_mails(user).filter(register=Register.ARRIVEE)


def _example_reference() -> str:
    return settings.CABINET_MAIL_REFERENCE_FORMATS[Register.ARRIVEE].format(year=timezone.localdate().year, number=12)


class AudienceRequestForm(forms.ModelForm):
    letter = LetterReferenceField(label=_("Courrier d'origine"), required=False)
    participants_text = forms.CharField(
        label=_("Participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Un participant par ligne : nom ; titre ou fonction ; nationalité."),
    )
    files = MultipleFileField(label=_("Pièces jointes"), required=False)

    class Meta:
        model = Audience
        fields = list(REQUEST_FIELDS)  # what the services record and correct
        field_classes = {"wished_from": FrenchDateField, "wished_until": FrenchDateField}
        widgets = {
            # Search as you type (correspondence:correspondent_lookup), not a list of the
            # whole directory; merged and inactive entries are refused by the queryset.
            "requester": CorrespondentPicker(),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = Correspondent.objects.filter(is_active=True, merged_into__isnull=True)
        # « + Créer… » only for who manages the directory: its inline creation refuses the others
        # (audiences.add_audience may be given without a register role).
        self.fields["requester"].widget.can_create = bool(user) and can_manage_correspondents(user)
        letter = self.fields["letter"]
        letter.letters = incoming_letters(user) if user else Mail.objects.none()
        example = _example_reference()
        letter.help_text = _(
            "Numéro d'enregistrement du courrier arrivé qui porte la demande, par exemple %(example)s."
        ) % {"example": example}
        letter.widget.attrs.update({"placeholder": example, "autocomplete": "off", "spellcheck": "false"})
        self.fields["participants_count"].required = False

    GROUPS = (
        (_("Demandeur"), ("requester", "letter", "on_behalf_of")),
        (_("Objet et dates souhaitées"), ("purpose", "wished_from", "wished_until")),
        (_("Participants"), ("participants_text", "participants_count", "languages", "interpreter_needed")),
        (_("Pièces et confidentialité"), ("files", "is_confidential")),
    )

    def groups(self) -> list[tuple[str, list]]:
        groups = []
        for legend, names in self.GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                groups.append((legend, fields))
        return groups

    def clean_wished_from(self):
        value = self.cleaned_data["wished_from"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("La date souhaitée ne peut pas être passée."))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("wished_from"), data.get("wished_until")
        if start and end and end < start:
            self.add_error("wished_until", _("La fin de la période souhaitée ne peut pas précéder son début."))
        return data

    def clean_participants_text(self) -> list[dict]:
        rows = []
        for number, line in enumerate(self.cleaned_data["participants_text"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) > 3 or not parts[0]:
                raise forms.ValidationError(_("Ligne %(n)s : écrivez « nom ; titre ; nationalité ».") % {"n": number})
            parts += [""] * (3 - len(parts))
            rows.append({"name": parts[0][:200], "title": parts[1][:200], "nationality": parts[2][:100]})
        return rows

    def _post_clean(self):
        # The request is built by the service, not by the ModelForm (created_by, state…).
        pass


def participants_as_text(participants) -> str:
    """The participants as typed at creation: one per line, « nom ; titre ; nationalité »."""
    lines = []
    for p in participants:
        parts = [p.name, p.title, p.nationality]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" ; ".join(parts))
    return "\n".join(lines)


class LastEventMixin(forms.Form):
    """The audience's last event when the form was opened (hidden): a change made meanwhile in
    another tab or by a colleague is not overwritten (``services.ChangedMeanwhile``)."""

    seen_event = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def seen_now(self, event_id: int | None) -> None:
        """After a refusal for a change made meanwhile: the next save confirms what is typed."""
        self.data = self.data.copy()
        self.data["seen_event"] = "" if event_id is None else str(event_id)


class AudienceEditForm(LastEventMixin, AudienceRequestForm):
    """« Modifier la demande »: the creation form pre-filled with the request; once the
    audience is in the agenda, only the fields the protocol's preparation leaves open."""

    def __init__(self, *args, instance: Audience, user, **kwargs):
        participants = list(instance.participants.all())
        initial = {
            "participants_text": participants_as_text(participants),
            "seen_event": last_event(instance),
        }
        # A count that only counted the lines is shown blank, so that it follows the lines.
        if instance.participants_count == max(len(participants), 1):
            initial["participants_count"] = None
        super().__init__(*args, instance=instance, initial=initial, user=user, **kwargs)
        del self.fields["files"]
        self.fields["participants_text"].widget.attrs["rows"] = max(4, len(participants) + 1)
        self.fields["participants_count"].help_text = _("Laissé vide : le nombre de lignes ci-dessus.")
        # A requester since merged or deactivated stays valid for this request.
        self.fields["requester"].queryset = Correspondent.objects.filter(
            Q(is_active=True, merged_into__isnull=True) | Q(pk=instance.requester_id)
        )
        self._follow_merged_requester(instance)
        # A letter this person may not see is neither shown nor lost: the field goes.
        if instance.letter_id:
            current = self.fields["letter"].letters.filter(pk=instance.letter_id).values("reference", "subject").first()
            if current is None:
                del self.fields["letter"]
            else:
                self.initial["letter"] = current["reference"]
                self.fields["letter"].help_text = _("Actuellement : %(reference)s — %(subject)s.") % {
                    "reference": current["reference"],
                    "subject": Truncator(current["subject"]).chars(80),
                }
        if instance.is_scheduled:
            for name in list(self.fields):
                if name not in SCHEDULED_CORRECTABLE_FIELDS and name not in ("participants_text", "seen_event"):
                    del self.fields[name]

    def clean_wished_from(self):
        # Only a new date must not be past: the request keeps the date it was received with.
        value = self.cleaned_data["wished_from"]
        if value and value != self.instance.wished_from and value < timezone.localdate():
            raise forms.ValidationError(_("La date souhaitée ne peut pas être passée."))
        return value

    def _follow_merged_requester(self, instance: Audience) -> None:
        """A form opened before its requester was merged posts the duplicate, which the
        audience no longer names (``audiences_requester_merged``): read as the entry it was
        merged into, so the lost-update guard names the merge instead of the picker refusing
        an entry the person never chose."""
        key = self.add_prefix("requester")
        posted = whole_number(str(self.data.get(key) or "")) if self.is_bound else None
        if posted is None or posted == instance.requester_id:
            return
        if Correspondent.objects.filter(pk=posted, merged_into=instance.requester_id).exists():
            self.data = self.data.copy()
            self.data[key] = str(instance.requester_id)

    def changes(self) -> dict:
        """The keyword arguments of ``services.audience_update``."""
        data = {name: value for name, value in self.cleaned_data.items() if name in self.Meta.fields}
        data["participants"] = self.cleaned_data["participants_text"]
        data["seen_event"] = self.cleaned_data.get("seen_event")
        return data


class ProtocolFieldsMixin:
    def protocol_fields(self) -> list:
        """The protocol's needs, shown in their own group (« Besoins du protocole »)."""
        return [self[name] for name in PROTOCOL_FIELDS if name in self.fields]


class SlotMixin(ProtocolFieldsMixin, forms.Form):
    day = FrenchDateField(label=_("Jour"))
    start_time = FrenchTimeField(label=_("Début"))
    end_time = FrenchTimeField(label=_("Fin"))
    confirm_warnings = forms.BooleanField(
        label=_("Je confirme ce créneau malgré l'avertissement"), required=False, widget=forms.HiddenInput
    )

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end))
            if end <= start:
                self.add_error("end_time", _("La fin doit être postérieure au début."))
            elif data["starts_at"] < timezone.now():
                self.add_error("day", _("Ce créneau est déjà passé."))
        return data

    SLOT_FIELDS = ("day", "start_time", "end_time", "confirm_warnings", "place")

    def slot_fields(self) -> list:
        return [self[name] for name in self.SLOT_FIELDS if name in self.fields]

    def other_fields(self) -> list:
        return [self[name] for name in self.fields if name not in self.SLOT_FIELDS and name not in PROTOCOL_FIELDS]

    def ask_confirmation(self, warnings: list[str]) -> None:
        """Show the warnings, and the box that confirms them, keeping everything typed."""
        self.warnings = warnings
        self.fields["confirm_warnings"].widget = forms.CheckboxInput()


# Who may be named among an audience's cabinet participants.
CABINET_ROLES = (Role.DIRECTEUR_CABINET, Role.CONSEILLER, Role.ATTACHE, Role.CHEF_SP)


def cabinet_members(*, keep: Audience | None = None) -> QuerySet:
    """Today's members of the cabinet, and the participants already named on ``keep`` (one
    whose mandate ended since is shown, not dropped unseen when the form is saved)."""
    members = Q()
    for role in CABINET_ROLES:
        members |= Q(pk__in=holders_of(role).values("pk"))
    if keep is not None:
        members |= Q(pk__in=keep.attendees.values("pk"))
    return get_user_model().objects.filter(members)


class CabinetMembersField(forms.ModelMultipleChoiceField):
    """Ticked by name and function (« Mme Essi LAWSON — Conseillère technique »)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} — {obj.title}" if obj.title else obj.display_name


class PreparationFields(ProtocolFieldsMixin, forms.Form):
    """What is prepared for an audience besides its time and place: chosen by « Programmer »,
    changed by « Modifier la préparation »."""

    attendees = CabinetMembersField(
        label=_("Participants du cabinet"),
        queryset=None,
        required=False,
        help_text=_("Conseillers et membres du cabinet présents."),
    )
    needs_interpreter = forms.BooleanField(label=_("Interprète"), required=False)
    needs_press = forms.BooleanField(label=_("Presse"), required=False)
    needs_gifts = forms.BooleanField(label=_("Cadeaux"), required=False)
    needs_security = forms.BooleanField(label=_("Sécurité"), required=False)
    needs_vehicles = forms.BooleanField(label=_("Véhicules"), required=False)
    protocol_notes = forms.CharField(
        label=_("Notes de protocole (préséance…)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProgrammeForm(SlotMixin, PreparationFields):
    place = forms.ModelChoiceField(label=_("Lieu"), queryset=Place.objects.filter(is_active=True))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = cabinet_members()


class PreparationForm(LastEventMixin, PreparationFields):
    """« Modifier la préparation » of a programmed audience: its cabinet participants and the
    protocol's needs, pre-filled; its time and place are not here (« Déplacer »)."""

    def __init__(self, *args, audience: Audience, **kwargs):
        initial = {name: getattr(audience, name) for name in PROTOCOL_FIELDS}
        initial["attendees"] = [user.pk for user in audience.attendees.all()]
        initial["seen_event"] = last_event(audience)
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["attendees"].queryset = cabinet_members(keep=audience)

    def attendee_fields(self) -> list:
        return [self["attendees"]]


class MoveForm(SlotMixin, forms.Form):
    place = forms.ModelChoiceField(label=_("Lieu"), queryset=Place.objects.filter(is_active=True), required=False)
    reason = forms.CharField(label=_("Motif du déplacement"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(ReasonForm):
    postpone = forms.BooleanField(label=_("Reporter (à reprogrammer plus tard) plutôt qu'annuler"), required=False)


class ChangeRequestForm(forms.Form):
    comment = forms.CharField(label=_("Changement demandé"), widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    file = forms.FileField(label=_("Compte rendu"))


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Personne"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True)


class UnavailabilityForm(forms.ModelForm):
    class Meta:
        model = Unavailability
        fields = ["title", "kind", "starts_at", "ends_at", "note"]
        field_classes = {"starts_at": FrenchDateTimeField, "ends_at": FrenchDateTimeField}
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("La fin doit être postérieure au début."))
        return data


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False)
    state = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous"))] + AudienceState.choices)
    start = FrenchDateField(label=_("Du"), required=False)
    end = FrenchDateField(label=_("Au"), required=False)
    confidential = forms.ChoiceField(
        label=_("Confidentialité"),
        required=False,
        choices=[("", _("Toutes")), ("oui", _("Confidentielles")), ("non", _("Ordinaires"))],
    )
