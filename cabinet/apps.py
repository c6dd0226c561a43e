from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    name = "cabinet"
    verbose_name = _("Cabinet : organisation et rôles")
    default_auto_field = "django.db.models.BigAutoField"
