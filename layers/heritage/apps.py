from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    name = "layers.heritage"
    label = "heritage"
    verbose_name = _("Monuments and natural sites")

    def ready(self):
        pass  # registers the app's layers (layers.py) with layers.core.registry
