from django.contrib.admin.apps import AdminConfig


class CabinetAdminConfig(AdminConfig):
    default_site = "cabinet.admin_site.CabinetAdminSite"
