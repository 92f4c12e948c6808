from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "layers.projects"
    label = "projects"
    verbose_name = _("Social projects")

    def ready(self):
        from layers.core.registry import layer_registry

        from .layers import SocialProjectLayer

        layer_registry.register(SocialProjectLayer)
