from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "layers.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer corps")

    def ready(self):
        from layers.core.registry import layer_registry

        from .layers import VolunteerLayer

        layer_registry.register(VolunteerLayer)
