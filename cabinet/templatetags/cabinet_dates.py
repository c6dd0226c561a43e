"""``moment``: a date and time in Lomé time, « 29/11/2026 à 10:00 », « 29/11/2026 at 10:00 »
in English. A fixed ``date:"d/m/Y à H:i"`` kept the French « à » in the English pages."""

from django import template

from cabinet import history

register = template.Library()


@register.filter
def moment(value) -> str:
    if not value:
        return ""
    return history.moment(value)
