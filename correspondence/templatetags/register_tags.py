"""Template tags and filters of the register.

``{% mail_tags mail %}``: the state, confidentiality and priority tags of an entry, rendered in
Python. It was an ``{% include %}`` rendered once per row of the register (fifty per page),
a quarter of the page's template time.

``{% register_rows rows %}`` and ``{% imputation_rows rows today %}``: the rows of the register
and of the imputation lists (« à traiter »), rendered in Python with f-strings (every
value escaped). Rendered by the template engine, fifty register rows or a hundred and fifty
imputation rows were the largest part of their page's time (a node, a variable lookup and a
``{% url %}`` per cell); the HTML is the same.

``dmy`` and ``dmy_hm``: ``date:"d/m/Y"`` and ``date:"d/m/Y H:i"`` (local time, Lomé) for the
rows of long lists, without the localisation machinery of ``date`` (a hundred dates a page).
The format is numeric, so it reads the same in French and in English."""

from __future__ import annotations

import datetime
import html

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeData, mark_safe
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


def _e(value) -> str:
    """``conditional_escape`` without its lazy-string wrappers: the rows below escape a dozen
    values each, and ``format_html``'s machinery was half of their time."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


@register.simple_tag
def mail_tags(mail: Mail) -> str:
    if mail.is_cancelled:
        parts = [f'<span class="tag tag-alert">{_e(gettext("Annulé"))}</span>']
    else:
        parts = [f'<span class="tag state-{_e(mail.state)}">{_e(mail.state_label)}</span>']
    for tag in (_CONFIDENTIALITY.get(mail.confidentiality), _PRIORITY.get(mail.priority)):
        if tag:
            css, label = tag
            parts.append(f' <span class="tag {css}">{_e(label)}</span>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped by _e


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


def _muted_line(value) -> str:
    return f'<br><small class="muted">{_e(value)}</small>' if value else ""


@register.simple_tag
def register_rows(rows) -> str:
    """The ``<tr>`` of the register's entries: number, registration, correspondent, subject,
    kind, open imputations' assignees, tags."""
    url = _detail_url_maker()
    arrived_on = gettext("arrivé le")
    none = '<span class="muted">—</span>'
    out = []
    for mail in rows:
        assignees = ", ".join(i.assignee_label for i in mail.open_imputations)
        arrival = _muted_line(f"{arrived_on} {dmy(mail.arrival_date)}") if mail.arrival_date else ""
        out.append(
            f'<tr class="{"is-cancelled" if mail.is_cancelled else ""}">'
            f'<td class="num"><a href="{_e(url(mail.pk))}">{_e(mail.reference)}</a>'
            f"{_muted_line(mail.administrative_reference)}</td>"
            f"<td>{_e(dmy_hm(mail.registered_at))}{arrival}</td>"
            f"<td>{_e(mail.correspondent)}{_muted_line(mail.sender_reference)}</td>"
            f"<td>{_e(mail.subject)}</td><td>{_e(mail.kind)}</td>"
            f"<td>{_e(assignees) if assignees else none}</td><td>{mail_tags(mail)}</td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped by _e


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
            due = f'<span class="tag tag-alert">{_e(dmy(deadline))}</span>'
        else:
            due = _e(dmy(deadline))
        out.append(
            f'<tr><td class="num"><a href="{_e(url(imputation.mail_id))}">{_e(mail.reference)}</a></td>'
            f"<td>{_e(mail.correspondent)}</td><td>{_e(mail.subject)}</td>"
            f"<td>{_e(imputation.instruction_label)}</td><td>{_e(imputation.assignee_label)}</td>"
            f"<td>{due}</td><td>{_e(imputation.state_label)}</td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped by _e
