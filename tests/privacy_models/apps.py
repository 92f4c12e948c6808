from django.apps import AppConfig


class PrivacyModelsConfig(AppConfig):
    name = "tests.privacy_models"
    label = "privacy_models"
