from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutesConfig(AppConfig):
    name = "layers.routes"
    label = "routes"
    verbose_name = _("Eco-routes and road trips")

    def ready(self):
        from layers.core.registry import layer_registry

        from .layers import EcoRouteLayer

        layer_registry.register(EcoRouteLayer)
