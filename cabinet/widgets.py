"""Form widgets shared by the apps.

``FrenchDateInput``, ``FrenchTimeInput`` and ``FrenchDateTimeInput``: dates typed and shown as
jj/mm/aaaa and times as hh:mm (24 h) whatever the browser's language. A browser's own
``<input type="date">`` shows the date in the browser's format (mm/dd/yyyy on an English
Chromium, the default on Debian) and ``type="time"`` a 12-hour clock; the ministry writes
29/11/2026 and 14:30. The date fields keep a calendar: a button (static/js/cabinet.js) opens
the browser's own picker on a hidden date input and writes the chosen day back in French.
The fields also read ISO dates (2026-11-29, as in an address or from an older page).

``FastSelect`` renders a ``<select>`` in Python. Django renders a select through its template
engine, one ``{% include %}`` per option: on the register's filter bar (ten fields, a hundred
options) that was a tenth of the page's time. The HTML is the same as Django's
``django/forms/widgets/select.html``: same attributes, same escaping, option groups kept.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


def _options(options) -> str:
    return format_html_join(
        "", '<option value="{}"{}>{}</option>', ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options)
    )


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, _options(options)))
            else:
                parts.append(_options(options))
        parts.append("</select>")
        return mark_safe("".join(parts))


# What a date or time field reads: French first, then ISO (addresses, older pages, tests).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
TIME_INPUT_FORMATS = ["%H:%M", "%Hh%M", "%Hh", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [f"{d} {t}" for d in DATE_INPUT_FORMATS for t in TIME_INPUT_FORMATS[:2]] + [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
]


class FrenchDateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "placeholder": _("jj/mm/aaaa"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "size": 10,
            "data-date": "",
            "data-date-label": _("Ouvrir le calendrier"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")


class FrenchTimeInput(forms.TimeInput):
    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {"placeholder": _("hh:mm"), "inputmode": "numeric", "autocomplete": "off", "size": 5}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%H:%M")


class FrenchDateTimeInput(forms.DateTimeInput):
    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {"placeholder": _("jj/mm/aaaa hh:mm"), "autocomplete": "off", "size": 16}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y %H:%M")


class FrenchDateField(forms.DateField):
    widget = FrenchDateInput
    input_formats = DATE_INPUT_FORMATS


class FrenchTimeField(forms.TimeField):
    widget = FrenchTimeInput
    input_formats = TIME_INPUT_FORMATS


class FrenchDateTimeField(forms.DateTimeField):
    widget = FrenchDateTimeInput
    input_formats = DATETIME_INPUT_FORMATS
