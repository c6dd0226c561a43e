"""The current tab of an app's sub-navigation, as the top menu marks its entry."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

CURRENT = mark_safe(' aria-current="page"')


@register.simple_tag(takes_context=True)
def current(context, *views) -> str:
    """`` aria-current="page"`` when the page is one of ``views`` (``app:url_name``; a name
    ending in ``_`` stands for every one it begins: ``delegations:item_``), else nothing."""
    match = getattr(context.get("request"), "resolver_match", None)
    name = match.view_name if match else ""
    if name and any(name == view or (view.endswith("_") and name.startswith(view)) for view in views):
        return CURRENT
    return ""
