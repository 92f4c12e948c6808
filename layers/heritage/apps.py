from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    name = "layers.heritage"
    label = "heritage"
    verbose_name = _("Monuments and natural sites")

    def ready(self):
        from layers.core.registry import layer_registry

        from .layers import MonumentLayer, NaturalSiteLayer

        layer_registry.register(MonumentLayer)
        layer_registry.register(NaturalSiteLayer)
