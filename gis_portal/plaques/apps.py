from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlaquesConfig(AppConfig):
    name = "gis_portal.plaques"
    label = "plaques"
    verbose_name = _("QR plaques")
