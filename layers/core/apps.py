from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "layers.core"
    label = "layers_core"
    verbose_name = _("Map layers")
