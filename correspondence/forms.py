"""Forms of the register. They validate input and carry French errors; the rules of the
register are in the services (whose ValidationErrors the views put back on the form)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cabinet.freshness import per_person
from cabinet.models import Mandate, OrgUnit
from cabinet.pagination import whole_number
from cabinet.widgets import FastSelect, FrenchDateField

from .files import ACCEPT_ATTRIBUTE, check_upload
from .models import ArrivalChannel, Correspondent, Instruction, Mail, MailKind, Register
from .selectors import DEFAULT_SORT, MailFilters

User = get_user_model()


class CorrespondentPicker(forms.Widget):
    """A search-as-you-type picker (static/correspondence/picker.js) that posts correspondent
    ids; the chosen entries are rendered server-side, so a re-displayed form keeps them.

    ``can_create``: whether it offers « + Créer… », the directory's inline creation, which
    answers only who manages the directory (a form used by others turns it off)."""

    template_name = "correspondence/widgets/correspondent_picker.html"

    def __init__(self, *, multiple: bool = False, can_create: bool = True, attrs=None):
        super().__init__(attrs)
        self.multiple = multiple
        self.can_create = can_create

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template directory, not the form renderer's (which only sees apps).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308

    def value_from_datadict(self, data, files, name):
        values = [v for v in data.getlist(name) if v] if hasattr(data, "getlist") else [data.get(name)]
        return values if self.multiple else (values[0] if values else None)

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = [n for n in (whole_number(str(v)) for v in ids) if n is not None]
        chosen = list(Correspondent.objects.filter(pk__in=ids)) if ids else []
        context["widget"].update(
            {
                "multiple": self.multiple,
                "chosen": sorted(chosen, key=lambda c: ids.index(c.pk)),
                "search_url": reverse_lazy("correspondence:correspondent_lookup"),
                "create_url": reverse_lazy("correspondence:correspondent_quick_create") if self.can_create else "",
                "kinds": Correspondent.Kind.choices,
            }
        )
        return context


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once; each is checked by content and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors = []
        for upload in files:
            try:
                check_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return list(files)


class SingleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            check_upload(upload)
        return upload


def _active_correspondents():
    return Correspondent.objects.filter(merged_into__isnull=True)


FILES_HELP = _(
    "PDF, JPEG, PNG, TIFF, DOCX ou ODT ; 25 Mo au plus par fichier (le contenu est vérifié, pas seulement "
    "le nom). Si le formulaire revient avec une erreur, les fichiers acceptés sont conservés."
)
DRAFT_HELP = _(
    "PDF, JPEG, PNG, TIFF, DOCX ou ODT ; 25 Mo au plus (le contenu est vérifié, pas seulement le nom). Si le "
    "formulaire revient avec une erreur, le fichier accepté est conservé."
)


class _MailForm(forms.Form):
    subject = forms.CharField(label=_("Objet"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ModelChoiceField(label=_("Nature"), queryset=MailKind.objects.filter(is_active=True))
    letter_date = FrenchDateField(label=_("Date de la lettre"), required=False)
    pages = forms.IntegerField(label=_("Nombre de pages"), min_value=1, max_value=5000, initial=1)
    enclosures = forms.IntegerField(label=_("Nombre de pièces jointes"), min_value=0, max_value=1000, initial=0)
    priority = forms.ChoiceField(label=_("Priorité"), choices=Mail.Priority.choices, initial=Mail.Priority.NORMALE)
    confidentiality = forms.ChoiceField(
        label=_("Confidentialité"), choices=Mail.Confidentiality.choices, initial=Mail.Confidentiality.ORDINAIRE
    )
    keywords = forms.CharField(
        label=_("Mots-clés"), max_length=500, required=False, help_text=_("Séparés par des virgules.")
    )
    files = MultipleFileField(label=_("Documents numérisés et pièces"), help_text=FILES_HELP)


class IncomingMailForm(_MailForm):
    correspondent = forms.ModelChoiceField(
        label=_("Expéditeur"), queryset=_active_correspondents(), widget=CorrespondentPicker()
    )
    sender_reference = forms.CharField(label=_("Référence de l'expéditeur"), max_length=120, required=False)
    arrival_date = FrenchDateField(label=_("Date d'arrivée"))
    channel = forms.ModelChoiceField(
        label=_("Mode d'arrivée"), queryset=ArrivalChannel.objects.filter(is_active=True), required=False
    )

    field_order = [
        "correspondent",
        "sender_reference",
        "letter_date",
        "arrival_date",
        "channel",
        "kind",
        "subject",
        "pages",
        "enclosures",
        "priority",
        "confidentiality",
        "keywords",
        "files",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arrival_date"].initial = timezone.localdate

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        arrival, letter = data.get("arrival_date"), data.get("letter_date")
        if arrival and arrival > today:
            self.add_error("arrival_date", _("La date d'arrivée ne peut pas être dans le futur."))
        if letter and letter > today:
            self.add_error("letter_date", _("La date de la lettre ne peut pas être dans le futur."))
        elif letter and arrival and letter > arrival:
            self.add_error("letter_date", _("La date de la lettre ne peut pas être postérieure à sa date d'arrivée."))
        return data


def cabinet_people():
    user_ids = Mandate.objects.in_force().values("user_id")
    return User.objects.filter(id__in=user_ids, is_active=True).order_by("last_name", "first_name")


class OutgoingMailForm(_MailForm):
    recipients = forms.ModelMultipleChoiceField(
        label=_("Destinataires"), queryset=_active_correspondents(), widget=CorrespondentPicker(multiple=True)
    )
    copies = forms.ModelMultipleChoiceField(
        label=_("Ampliations"),
        queryset=_active_correspondents(),
        widget=CorrespondentPicker(multiple=True),
        required=False,
    )
    signatory = forms.ModelChoiceField(label=_("Signataire"), queryset=User.objects.none(), required=False)
    sent_date = FrenchDateField(label=_("Date d'envoi"), required=False)
    replies_to = forms.ModelMultipleChoiceField(
        label=_("En réponse à"),
        queryset=Mail.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les courriers arrivés auxquels cette lettre répond passeront à l'état « répondu »."),
    )

    field_order = [
        "recipients",
        "copies",
        "letter_date",
        "sent_date",
        "kind",
        "subject",
        "signatory",
        "pages",
        "enclosures",
        "priority",
        "confidentiality",
        "keywords",
        "replies_to",
        "files",
    ]

    def __init__(self, *args, reply_candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatory"].queryset = cabinet_people()
        self.fields["letter_date"].initial = timezone.localdate
        if reply_candidates is not None:
            self.fields["replies_to"].queryset = reply_candidates
        else:
            del self.fields["replies_to"]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name, label in (("letter_date", _("La date de la lettre")), ("sent_date", _("La date d'envoi"))):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("%(what)s ne peut pas être dans le futur.") % {"what": label})
        if data.get("letter_date") and data.get("sent_date") and data["sent_date"] < data["letter_date"]:
            self.add_error("sent_date", _("La date d'envoi ne peut pas précéder la date de la lettre."))
        return data


class _AssigneeForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Personne"), queryset=User.objects.none(), required=False)
    assignee_unit = forms.ModelChoiceField(
        label=_("ou service"), queryset=OrgUnit.objects.filter(is_active=True).order_by("name"), required=False
    )
    deadline = FrenchDateField(
        label=_("Échéance"),
        required=False,
        help_text=_(
            "Vide : selon la priorité, en jours ouvrés (un jour férié ou un week-end reporte au jour ouvré suivant)."
        ),
    )
    comment = forms.CharField(label=_("Commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = cabinet_people()
        self.fields["assignee"].label_from_instance = lambda u: (
            f"{u.display_name} — {u.title}" if u.title else u.display_name
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("assignee")) == bool(data.get("assignee_unit")):
            raise ValidationError(_("Choisissez une personne ou un service (l'un des deux)."))
        if data.get("deadline") and data["deadline"] < timezone.localdate():
            self.add_error("deadline", _("L'échéance ne peut pas être dans le passé."))
        return data


class ImputationForm(_AssigneeForm):
    instruction = forms.ChoiceField(
        label=_("Instruction"), choices=Instruction.choices, initial=Instruction.ATTRIBUTION
    )
    field_order = ["assignee", "assignee_unit", "instruction", "deadline", "comment"]


class ReassignForm(_AssigneeForm):
    instruction = forms.ChoiceField(label=_("Instruction"), choices=Instruction.choices)
    field_order = ["assignee", "assignee_unit", "instruction", "deadline", "comment"]


class AnnotationForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opinion = forms.CharField(label=_("Avis"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    draft_reply = SingleFileField(label=_("Projet de réponse"), help_text=DRAFT_HELP)
    # The avis as the form showed it: an avis saved meanwhile (a colleague of the service, another
    # tab) is neither overwritten by this one nor by the old text left untouched.
    seen_opinion = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args, draft_held: bool = False, **kwargs):
        """``draft_held``: a draft reply kept from a submission that came back with an error
        (``cabinet.holding``) will be attached: the form is not empty without a new file."""
        super().__init__(*args, **kwargs)
        self.draft_held = draft_held

    def opinion_change(self) -> str | None:
        """The avis typed, or None if it is the one the form showed (nothing to write)."""
        typed = self.cleaned_data["opinion"].strip()
        return None if typed == self.cleaned_data["seen_opinion"].strip() else typed

    def seen_now(self, opinion: str) -> None:
        """After a refusal for an avis saved meanwhile: the next save confirms what is typed."""
        self.data = self.data.copy()
        self.data["seen_opinion"] = opinion

    def clean(self):
        data = super().clean()
        if (
            not self.errors
            and not (data.get("note") or "").strip()
            and not data.get("draft_reply")
            and not self.draft_held
            and self.opinion_change() is None
        ):
            raise ValidationError(_("Écrivez une note ou un avis, ou joignez un projet de réponse."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class MailUpdateForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Mode d'arrivée"), queryset=ArrivalChannel.objects.all(), required=False)
    pages = forms.IntegerField(label=_("Nombre de pages"), min_value=1, max_value=5000)
    enclosures = forms.IntegerField(label=_("Nombre de pièces jointes"), min_value=0, max_value=1000)
    priority = forms.ChoiceField(label=_("Priorité"), choices=Mail.Priority.choices)
    confidentiality = forms.ChoiceField(label=_("Confidentialité"), choices=Mail.Confidentiality.choices)
    keywords = forms.CharField(label=_("Mots-clés"), max_length=500, required=False)
    signatory = forms.ModelChoiceField(label=_("Signataire"), queryset=User.objects.none(), required=False)
    sent_date = FrenchDateField(label=_("Date d'envoi"), required=False)

    def __init__(self, *args, mail: Mail, **kwargs):
        super().__init__(*args, **kwargs)
        if mail.register == Register.ARRIVEE:
            del self.fields["signatory"]
            del self.fields["sent_date"]
        else:
            del self.fields["channel"]
            self.fields["signatory"].queryset = cabinet_people()


class AttachmentForm(forms.Form):
    files = MultipleFileField(label=_("Fichiers"), help_text=FILES_HELP, required=True)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise ValidationError(_("Choisissez au moins un fichier."))
        return files


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Personne"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = cabinet_people()


class MailFilterForm(forms.Form):
    """The register's filters (GET). Invalid values are ignored, never an error page."""

    q = forms.CharField(label=_("Recherche"), required=False, max_length=200)
    register = forms.ChoiceField(
        widget=FastSelect, label=_("Registre"), choices=[("", _("Les deux"))] + Register.choices, required=False
    )
    date_from = FrenchDateField(label=_("Enregistré du"), required=False)
    date_to = FrenchDateField(label=_("au"), required=False)
    kind = forms.ModelChoiceField(
        widget=FastSelect, label=_("Nature"), queryset=MailKind.objects.all(), required=False, empty_label=_("Toutes")
    )
    state = forms.ChoiceField(
        widget=FastSelect, label=_("État"), choices=[("", _("Tous"))] + Mail.State.choices, required=False
    )
    priority = forms.ChoiceField(
        widget=FastSelect, label=_("Priorité"), choices=[("", _("Toutes"))] + Mail.Priority.choices, required=False
    )
    confidentiality = forms.ChoiceField(
        widget=FastSelect,
        label=_("Confidentialité"),
        choices=[("", _("Toutes"))] + Mail.Confidentiality.choices,
        required=False,
    )
    assignee = forms.ModelChoiceField(
        widget=FastSelect, label=_("Attributaire"), queryset=User.objects.none(), required=False, empty_label=_("Tous")
    )
    # Bounded like the ids it names: a larger number overflowed SQLite's integers (a server error).
    correspondent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    cancelled = forms.ChoiceField(
        widget=FastSelect,
        label=_("Annulés"),
        choices=[("", _("Inclus")), ("non", _("Exclus")), ("oui", _("Seulement"))],
        required=False,
    )
    sort = forms.ChoiceField(
        widget=FastSelect,
        label=_("Tri"),
        required=False,
        choices=[
            ("-enregistre", _("Plus récents d'abord")),
            ("enregistre", _("Plus anciens d'abord")),
            ("-arrivee", _("Date d'arrivée (récentes)")),
            ("arrivee", _("Date d'arrivée (anciennes)")),
            ("-priorite", _("Priorité")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            id__in=Mandate.objects.in_force().values("user_id")
        ).order_by("last_name", "first_name")
        # The lists of the two selects: read with one plain SELECT (Django's own iteration
        # would open a server-side cursor on PostgreSQL: DECLARE, FETCH, CLOSE for twenty
        # names), and from the cache while nothing is written (cabinet.freshness). The values
        # typed are still checked against the querysets.
        for name in ("kind", "assignee"):
            field = self.fields[name]
            options = per_person(
                user, f"filter-{name}", lambda f=field: [(o.pk, f.label_from_instance(o)) for o in f.queryset]
            )
            field.choices = [("", field.empty_label), *options]

    def to_filters(self) -> MailFilters:
        if not self.is_valid():
            # Keep the valid values, drop the invalid ones.
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return MailFilters(
            q=data.get("q") or "",
            register=data.get("register") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            kind=data["kind"].pk if data.get("kind") else None,
            correspondent=data.get("correspondent"),
            state=data.get("state") or "",
            assignee=data["assignee"].pk if data.get("assignee") else None,
            priority=data.get("priority") or "",
            confidentiality=data.get("confidentiality") or "",
            cancelled=data.get("cancelled") or "",
            sort=data.get("sort") or DEFAULT_SORT,
        )


class CorrespondentForm(forms.ModelForm):
    class Meta:
        model = Correspondent
        fields = ["name", "acronym", "kind", "country", "address", "email", "phone"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class QuickCorrespondentForm(forms.ModelForm):
    class Meta:
        model = Correspondent
        fields = ["name", "kind", "acronym", "country"]


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Fusionner dans"), queryset=_active_correspondents(), widget=CorrespondentPicker()
    )


class SignatureSubmitForm(forms.Form):
    """Send an assignee's draft reply to the signature book (delegations app)."""

    attachment = forms.ModelChoiceField(label=_("Projet de réponse"), queryset=None, empty_label=None)
    category = forms.ModelChoiceField(label=_("Catégorie d'acte"), queryset=None)
    title = forms.CharField(label=_("Objet"), max_length=250)
    body = forms.CharField(
        label=_("Texte ou présentation"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ce que le signataire lira dans le parapheur ; le projet est joint."),
    )

    def __init__(self, *args, drafts, **kwargs):
        from delegations.models import ActCategory

        super().__init__(*args, **kwargs)
        self.fields["attachment"].queryset = drafts
        self.fields["category"].queryset = ActCategory.objects.filter(is_active=True)
