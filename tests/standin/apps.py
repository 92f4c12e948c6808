from django.apps import AppConfig


class StandInConfig(AppConfig):
    """A private layer standing in for the portal's personal-data layers in tests: hidden
    columns, an exact position and a coarsened public one, rows visible by role."""

    name = "tests.standin"
    label = "standin"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from layers.core.registry import layer_registry

        from .layers import StandInCaseLayer

        layer_registry.register(StandInCaseLayer)
