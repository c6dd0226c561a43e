"""Template tags and filters of the register.

``{% mail_tags mail %}``: the state, confidentiality and priority tags of an entry, rendered in
Python. It was an ``{% include %}`` rendered once per row of the register (fifty per page),
a quarter of the page's template time.

``{% register_rows rows %}`` and ``{% imputation_rows rows today %}``: the rows of the register
and of the imputation lists (« à traiter »), rendered in Python with ``format_html`` (every
value escaped). Rendered by the template engine, fifty register rows or a hundred and fifty
imputation rows were the largest part of their page's time (a node, a variable lookup and a
``{% url %}`` per cell); the HTML is the same.

``dmy`` and ``dmy_hm``: ``date:"d/m/Y"`` and ``date:"d/m/Y H:i"`` (local time, Lomé) for the
rows of long lists, without the localisation machinery of ``date`` (a hundred dates a page).
The format is numeric, so it reads the same in French and in English."""

from __future__ import annotations

import datetime

from django import template
from django.urls import reverse
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


# A mail's address, built by substitution: reverse() once per page instead of once per row.
_SENTINEL = 987654321987654321


def _detail_url_maker():
    pattern = reverse("correspondence:mail_detail", args=[_SENTINEL])
    head, tail = pattern.split(str(_SENTINEL))
    return lambda pk: f"{head}{pk}{tail}"


_MUTED_LINE = '<br><small class="muted">{}</small>'


@register.simple_tag
def register_rows(rows) -> str:
    """The ``<tr>`` of the register's entries: number, registration, correspondent, subject,
    kind, open imputations' assignees, tags."""
    url = _detail_url_maker()
    arrived_on = gettext("arrivé le")
    none = mark_safe('<span class="muted">—</span>')
    out = []
    for mail in rows:
        assignees = ", ".join(i.assignee_label for i in mail.open_imputations)
        out.append(
            format_html(
                '<tr class="{}">'
                '<td class="num"><a href="{}">{}</a>{}</td>'
                "<td>{}{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                "is-cancelled" if mail.is_cancelled else "",
                url(mail.pk),
                mail.reference,
                format_html(_MUTED_LINE, mail.administrative_reference) if mail.administrative_reference else "",
                dmy_hm(mail.registered_at),
                format_html(_MUTED_LINE, f"{arrived_on} {dmy(mail.arrival_date)}") if mail.arrival_date else "",
                mail.correspondent,
                format_html(_MUTED_LINE, mail.sender_reference) if mail.sender_reference else "",
                mail.subject,
                mail.kind,
                assignees or none,
                mail_tags(mail),
            )
        )
    return mark_safe("".join(out))


@register.simple_tag
def imputation_rows(rows, today: datetime.date) -> str:
    """The ``<tr>`` of an imputation list: the letter's number, correspondent and subject, the
    instruction, the assignee, the deadline (flagged when past) and the state."""
    url = _detail_url_maker()
    out = []
    for imputation in rows:
        mail = imputation.mail
        deadline = imputation.deadline
        if deadline is None:
            due = ""
        elif deadline < today:
            due = format_html('<span class="tag tag-alert">{}</span>', dmy(deadline))
        else:
            due = dmy(deadline)
        out.append(
            format_html(
                '<tr><td class="num"><a href="{}">{}</a></td>'
                "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                url(imputation.mail_id),
                mail.reference,
                mail.correspondent,
                mail.subject,
                imputation.instruction_label,
                imputation.assignee_label,
                due,
                imputation.state_label,
            )
        )
    return mark_safe("".join(out))
