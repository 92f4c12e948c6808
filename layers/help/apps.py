from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpConfig(AppConfig):
    name = "layers.help"
    label = "help"
    verbose_name = _("Help requests")

    def ready(self):
        pass  # registers the app's layers (layers.py) with layers.core.registry
