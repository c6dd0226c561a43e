"""Forms of the delegations app. They collect and type the input; the rules live in the
services, whose ``ValidationError`` is put back on the fields (nothing typed is lost)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabinet.models import Mandate
from cabinet.roles import Role
from cabinet.widgets import FrenchDateField

from .files import validate_document, validate_scan
from .models import ActCategory, Directive

User = get_user_model()


def people_in_office(*roles: str):
    """Active people holding a mandate in force today (of one of ``roles`` when given)."""
    mandates = Mandate.objects.in_force()
    if roles:
        mandates = mandates.filter(position__kind__in=roles)
    return User.objects.filter(id__in=mandates.values("user_id"), is_active=True).order_by("last_name", "first_name")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} — {obj.title}" if obj.title else obj.display_name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} — {obj.title}" if obj.title else obj.display_name


class ServiceErrorsMixin:
    def add_service_errors(self, exc) -> None:
        """Put a service's ValidationError on this form's fields (or on top of the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class DelegationForm(ServiceErrorsMixin, forms.Form):
    number = forms.CharField(label=_("Numéro de l'arrêté"), max_length=60, help_text=_("Ex. 2026-014/MAE/CAB"))
    signed_on = FrenchDateField(label=_("Signé le"))
    delegator = PersonChoiceField(label=_("Délégant (le ministre)"), queryset=User.objects.none())
    delegate = PersonChoiceField(
        label=_("Délégataire"),
        queryset=User.objects.none(),
        help_text=_("Une personne nommée, subordonnée du ministre (en général le directeur de cabinet)."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Catégories d'actes délégués"),
        queryset=ActCategory.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les catégories non délégables (traités, arrêtés, décrets) sont refusées."),
    )
    valid_from = FrenchDateField(label=_("Valable du"))
    valid_until = FrenchDateField(label=_("Jusqu'au"), required=False, help_text=_("Vide : sans terme."))
    is_conditional = forms.BooleanField(
        label=_("Seulement en cas d'absence ou d'empêchement du ministre"), required=False
    )
    # Checked here too (the model checks again): only a file that passed may be held when
    # another field has an error.
    scan = forms.FileField(label=_("Arrêté scanné (PDF, PNG ou JPEG)"), required=False, validators=[validate_scan])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegator"].queryset = people_in_office(Role.MINISTRE)
        # Anyone with a mandate is offered; the service refuses a non-subordinate with a reason.
        self.fields["delegate"].queryset = User.objects.filter(is_active=True).order_by("last_name", "first_name")
        self.fields["categories"].label_from_instance = lambda c: (
            c.name if c.is_delegable else f"{c.name} ({_('non délégable')})"
        )


class PublishForm(ServiceErrorsMixin, forms.Form):
    publication_reference = forms.CharField(label=_("Référence de publication"), max_length=200)
    published_on = FrenchDateField(label=_("Publié le"))


class RevokeForm(ServiceErrorsMixin, forms.Form):
    reference = forms.CharField(label=_("Arrêté d'abrogation (référence)"), max_length=200)
    revoked_on = FrenchDateField(label=_("Abrogé le"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}))


class SignatureItemForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Objet"), max_length=250)
    category = forms.ModelChoiceField(label=_("Catégorie d'acte"), queryset=ActCategory.objects.filter(is_active=True))
    body = forms.CharField(label=_("Texte de la lettre ou de l'acte"), widget=forms.Textarea(attrs={"rows": 12}))
    visa_1 = PersonChoiceField(label=_("1er visa"), queryset=User.objects.none(), required=False)
    visa_2 = PersonChoiceField(label=_("2e visa"), queryset=User.objects.none(), required=False)
    visa_3 = PersonChoiceField(label=_("3e visa"), queryset=User.objects.none(), required=False)
    document = forms.FileField(
        label=_("Pièce jointe (PDF, image, DOCX ou ODT)"), required=False, validators=[validate_document]
    )

    VISA_FIELDS = ("visa_1", "visa_2", "visa_3")

    def __init__(self, *args, with_visas: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_visas:
            people = people_in_office().exclude(mandates__position__kind=Role.MINISTRE).distinct()
            for name in self.VISA_FIELDS:
                self.fields[name].queryset = people
            self.fields["visa_1"].help_text = _("Les visas se donnent dans l'ordre ; laissez vide s'il n'y en a pas.")
        else:
            for name in self.VISA_FIELDS:
                del self.fields[name]

    def visa_users(self) -> list:
        users = [self.cleaned_data.get(name) for name in self.VISA_FIELDS if name in self.fields]
        return [u for u in users if u]

    def add_service_errors(self, exc) -> None:
        if hasattr(exc, "error_dict") and "visa_users" in exc.error_dict:
            for error in exc.error_dict.pop("visa_users"):
                self.add_error("visa_1", error)
        super().add_service_errors(exc)


class VisaForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("approve", _("Viser")), ("reject", _("Rejeter et renvoyer au rédacteur"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Observations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoires en cas de rejet."),
    )


class SignForm(forms.Form):
    attest = forms.BooleanField(
        label=_("J'atteste l'absence ou l'empêchement du ministre."),
        required=False,
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Code de vérification"), max_length=20, help_text=_("Ex. ABCD-EFGH-JKLM"))


class RegisterQueryForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Catégorie d'acte"), queryset=ActCategory.objects.all())
    day = FrenchDateField(label=_("Date"), initial=timezone.localdate)


class DirectiveForm(ServiceErrorsMixin, forms.Form):
    subject = forms.CharField(label=_("Objet"), max_length=250)
    text = forms.CharField(label=_("Texte de la directive"), widget=forms.Textarea(attrs={"rows": 8}))
    issued_on = FrenchDateField(label=_("Date"), initial=timezone.localdate)
    deadline = FrenchDateField(label=_("Échéance"))
    domain = forms.CharField(label=_("Domaine"), max_length=200, required=False)
    advisers = PeopleChoiceField(
        label=_("Conseiller(s) chargé(s) du suivi"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisers"].queryset = people_in_office(Role.CONSEILLER)


class TransmitForm(ServiceErrorsMixin, forms.Form):
    recipients = PeopleChoiceField(
        label=_("Destinataires (directeurs, chefs de service)"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Instructions de transmission"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, directive: Directive, **kwargs):
        super().__init__(*args, **kwargs)
        already = directive.transmissions.values("recipient_id")
        self.fields["recipients"].queryset = people_in_office(Role.DIRECTEUR, Role.CHEF_SERVICE).exclude(id__in=already)


class ReportForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label=_("Compte rendu d'exécution"), widget=forms.Textarea(attrs={"rows": 5}))
    executed = forms.BooleanField(label=_("La directive est entièrement exécutée"), required=False)
    attachment = forms.FileField(
        label=_("Pièce jointe (PDF, image, DOCX ou ODT)"), required=False, validators=[validate_document]
    )


def delegation_initial() -> dict:
    from cabinet.selectors import minister_in_office

    return {"delegator": minister_in_office(), "signed_on": timezone.localdate(), "valid_from": timezone.localdate()}


def delegation_edit_initial(delegation) -> dict:
    """A projet's current terms, to pre-fill ``DelegationForm`` when it is corrected. The
    scan is no initial value: the form offers to replace it, the page links the current one."""
    terms = [name for name in DelegationForm.base_fields if name not in ("categories", "scan")]
    return {**{name: getattr(delegation, name) for name in terms}, "categories": list(delegation.categories.all())}
