from django import forms
from django.utils.translation import gettext_lazy as _


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code à 6 chiffres"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Le code ne contient que des chiffres."))
        return token
