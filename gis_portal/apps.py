from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "gis_portal"
    verbose_name = "Tugan Zher"
