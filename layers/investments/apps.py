from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentsConfig(AppConfig):
    name = "layers.investments"
    label = "investments"
    verbose_name = _("Investment projects")

    def ready(self):
        pass  # registers the app's layers (layers.py) with layers.core.registry
