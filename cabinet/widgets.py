"""Form widgets shared by the apps.

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
