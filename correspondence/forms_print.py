"""The form that asks which register and which period to print."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabinet.widgets import FrenchDateField

from .models import Register


class RegisterPrintForm(forms.Form):
    MAX_DAYS = 366
    # WeasyPrint lays out about 30 to 60 rows a second: beyond this, the request would take
    # longer than a web worker's timeout. A longer period is prepared in the background
    # (services.register_prints).
    MAX_ROWS = 600

    register = forms.ChoiceField(label=_("Registre"), choices=Register.choices, initial=Register.ARRIVEE)
    start = FrenchDateField(label=_("Du"))
    end = FrenchDateField(label=_("Au"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = today.replace(day=1)
        self.fields["end"].initial = today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("La fin de la période ne peut pas précéder son début."))
            elif (end - start) > datetime.timedelta(days=self.MAX_DAYS):
                self.add_error("end", _("Imprimez au plus une année à la fois."))
        return data
