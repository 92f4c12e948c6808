from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoundariesConfig(AppConfig):
    name = "data.boundaries"
    label = "boundaries"
    verbose_name = _("Reference data")
