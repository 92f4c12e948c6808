from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "layers.areas"
    label = "areas"
    verbose_name = _("Administrative geography")

    def ready(self):
        from layers.core.registry import layer_registry

        from .layers import AdminAreaLayer, SettlementLayer

        layer_registry.register(AdminAreaLayer)
        layer_registry.register(SettlementLayer)
