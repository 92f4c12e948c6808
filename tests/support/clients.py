"""Test clients that read the portal in English (the language switch's cookie set), as the
tests' assertions do; Kazakh stays the default for every other visitor."""

from django.conf import settings
from django.test import Client


def english_client(**kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
