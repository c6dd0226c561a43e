"""Template tags and filters of the register.

``{% mail_tags mail %}``: the state, confidentiality and priority tags of an entry, rendered in
Python. It was an ``{% include %}`` rendered once per row of the register (fifty per page),
a quarter of the page's template time.

``dmy`` and ``dmy_hm``: ``date:"d/m/Y"`` and ``date:"d/m/Y H:i"`` (local time, Lomé) for the
rows of long lists, without the localisation machinery of ``date`` (a hundred dates a page).
The format is numeric, so it reads the same in French and in English."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

from ..models import Mail

register = template.Library()

_CONFIDENTIALITY = {
    Mail.Confidentiality.CONFIDENTIEL: ("tag-warn", gettext_lazy("Confidentiel")),
    Mail.Confidentiality.SECRET: ("tag-secret", gettext_lazy("Secret")),
}
_PRIORITY = {
    Mail.Priority.URGENTE: ("tag-warn", gettext_lazy("Urgent")),
    Mail.Priority.TRES_URGENTE: ("tag-alert", gettext_lazy("Très urgent")),
}


@register.simple_tag
def mail_tags(mail: Mail) -> str:
    if mail.is_cancelled:
        parts = [format_html('<span class="tag tag-alert">{}</span>', gettext("Annulé"))]
    else:
        parts = [format_html('<span class="tag state-{}">{}</span>', mail.state, mail.state_label)]
    for tag in (_CONFIDENTIALITY.get(mail.confidentiality), _PRIORITY.get(mail.priority)):
        if tag:
            css, label = tag
            parts.append(format_html(' <span class="tag {}">{}</span>', css, label))
    return mark_safe("".join(parts))


def _local_format(value, pattern: str) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(pattern)


@register.filter
def dmy(value) -> str:
    return _local_format(value, "%d/%m/%Y")


@register.filter
def dmy_hm(value) -> str:
    return _local_format(value, "%d/%m/%Y %H:%M")
