from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views

cabinet_patterns = (
    [
        path("organisation/", views.organisation, name="organisation"),
        path("notifications/", views.notification_list, name="notifications"),
        path("notifications/<int:pk>/ouvrir/", views.notification_open, name="notification_open"),
    ],
    "cabinet",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("", include(cabinet_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("compte/connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/mot-de-passe/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "compte/mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("compte/otp/", views.otp_verify, name="otp_verify"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("courrier/", include("correspondence.urls")),
    path("audiences/", include("audiences.urls")),
    path("delegations/", include("delegations.urls")),
]

handler404 = "cabinet.views.error_404"
handler403 = "cabinet.views.error_403"
