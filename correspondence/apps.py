from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    verbose_name = _("Courrier")
    default_auto_field = "django.db.models.BigAutoField"
