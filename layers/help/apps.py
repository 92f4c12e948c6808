from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpConfig(AppConfig):
    name = "layers.help"
    label = "help"
    verbose_name = _("Help requests")

    def ready(self):
        from layers.core.registry import layer_registry

        from .layers import HelpRequestLayer

        layer_registry.register(HelpRequestLayer)
