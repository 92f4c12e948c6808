from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "layers.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer corps")

    def ready(self):
        pass  # registers the app's layers (layers.py) with layers.core.registry
