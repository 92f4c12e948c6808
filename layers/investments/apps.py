from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentsConfig(AppConfig):
    name = "layers.investments"
    label = "investments"
    verbose_name = _("Investment projects")

    def ready(self):
        from layers.core.registry import layer_registry

        from .layers import InvestmentProjectLayer

        layer_registry.register(InvestmentProjectLayer)
