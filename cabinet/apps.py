from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    name = "cabinet"
    verbose_name = _("Cabinet : organisation et rôles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import freshness
        from .middleware import mark_session_refreshed

        freshness.install()
        user_logged_in.connect(mark_session_refreshed, dispatch_uid="cabinet.session_refreshed_at_login")
