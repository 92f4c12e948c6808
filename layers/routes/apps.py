from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutesConfig(AppConfig):
    name = "layers.routes"
    label = "routes"
    verbose_name = _("Eco-routes and road trips")

    def ready(self):
        pass  # registers the app's layers (layers.py) with layers.core.registry
