from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "layers.projects"
    label = "projects"
    verbose_name = _("Social projects")

    def ready(self):
        pass  # registers the app's layers (layers.py) with layers.core.registry
