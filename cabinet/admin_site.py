"""The administration site: in French, open only to the administrators' group."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def is_administrator(user) -> bool:
    if not (user.is_active and user.is_authenticated):
        return False
    return user.is_superuser or user.groups.filter(name=settings.CABINET_ADMIN_GROUP).exists()


class CabinetAdminSite(admin.AdminSite):
    site_header = _("Cabinet — administration")
    site_title = _("Cabinet")
    index_title = _("Rôles, organisation et listes de référence")

    def has_permission(self, request) -> bool:
        return is_administrator(request.user)

    def login(self, request, extra_context=None):
        # One login page for the whole application; the admin's own form would demand is_staff.
        next_url = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated:
            # Signed in but not an administrator: same answer as a page that does not exist.
            from django.http import Http404

            raise Http404
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
