"""How a value is written in an object's history when a correction changes it
(« Échéance : 10/03/2026 → 12/03/2026 »): the same words in every app."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _


def shown(value) -> str:
    """A value as the history prints it: dates as jj/mm/aaaa, yes/no in words, lists joined,
    nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
