"""The administration site: in French, open only to the administrators' group."""

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .freshness import per_person


def is_administrator(user) -> bool:
    """Superuser or member of the administrators' group; cached on the user object for the
    request (the navigation asks on every page)."""
    if not (user.is_active and user.is_authenticated):
        return False
    if not hasattr(user, "_cabinet_is_administrator"):
        user._cabinet_is_administrator = user.is_superuser or per_person(
            user, "administrator", lambda: user.groups.filter(name=settings.CABINET_ADMIN_GROUP).exists()
        )
    return user._cabinet_is_administrator


class CabinetAdminSite(admin.AdminSite):
    site_header = _("Cabinet — administration")
    site_title = _("Cabinet")
    index_title = _("Rôles, organisation et listes de référence")

    def has_permission(self, request) -> bool:
        return is_administrator(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # One login page for the whole application (the admin's own would demand is_staff);
            # a signed-in non-administrator gets the answer of a page that does not exist.
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("login"))
            if not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, view)

    @login_not_required
    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise Http404
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))
