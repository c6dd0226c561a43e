"""How a value is written in an object's history when a correction changes it
(« Échéance : 10/03/2026 → 12/03/2026 »): the same words in every app."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def shown(value) -> str:
    """A value as the history prints it: dates as jj/mm/aaaa, a moment with its time in Lomé
    (« 29/11/2026 à 10:00 »), a time as hh:mm, yes/no in words, lists joined, nothing as a
    dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    # Before the date: a datetime is a date too, and would lose its time.
    if isinstance(value, datetime.datetime):
        return moment(value)
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def moment(value: datetime.datetime) -> str:
    """A moment in Lomé time, « 29/11/2026 à 10:00 » (« at » in English): the histories and
    the pages' ``moment`` filter write it the same way."""
    # A naive value is taken as already local (the wall clock it was typed on).
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return _("%(date)s à %(time)s") % {"date": f"{local:%d/%m/%Y}", "time": f"{local:%H:%M}"}
