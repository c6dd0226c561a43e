from django.urls import reverse
from django.utils.translation import gettext as _

from .admin_site import is_administrator
from .freshness import per_person
from .registry import NavItem, nav_items
from .roles import Role
from .selectors import roles_of, unread_notifications_count


def cabinet(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    items = [NavItem(_("Tableau de bord"), reverse("home"))]
    items += nav_items(user)
    if user.has_perm("cabinet.view_organisation"):
        items.append(NavItem(_("Organisation"), reverse("cabinet:organisation"), section="/organisation/"))
    path = request.path
    current = [item for item in items if item.section and path.startswith(item.section)] or [
        item for item in items if item.url == path
    ]
    nav = [{"label": item.label, "url": item.url, "badge": item.badge, "active": item in current} for item in items]
    return {
        "nav_items": nav,
        # The apps' sub-navigations show a tab only to those the top menu shows its page to.
        "nav_urls": frozenset(item.url for item in items),
        "my_roles": [Role(r).label for r in sorted(roles)],
        "unread_notifications": per_person(user, "notifications", lambda: unread_notifications_count(user)),
        "can_admin": is_administrator(user),
    }
