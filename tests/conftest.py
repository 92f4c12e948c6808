"""Test set-up: a PostGIS test database holding the real reference data, loaded once per run,
and a real portal server process for HTTP and browser tests."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from tests.support.servers import running_portal

# Rows each layer commits with the reference data so the layer contract (tests/layers/
# test_contract.py) has features to read: dotted paths of idempotent loaders.
CONTRACT_LOADERS: list[str] = [
    "tests.standin.loader.load_standin_cases",
    "tests.heritage.contract_data.load",
    "tests.routes.contract_data.load",
    "tests.help.contract_data.load",
    "tests.projects.contract_data.load",
    "tests.investments.contract_data.load",
    "tests.volunteers.contract_data.load",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with Kazakhstan's real boundaries, KATO and settlements committed,
    so every test (and the server process) sees them; each test's own writes roll back."""
    from django.db import connection

    from data.boundaries.pipeline import load_reference_data

    if connection.settings_dict["NAME"] != connection.settings_dict["TEST"]["NAME"]:
        # pytest-django sets up no test database when no selected test is marked django_db:
        # the loaders below would then write into the database of the settings.
        pytest.exit("no selected test uses the database, so there is no test database to load: "
                    "mark the module with pytest.mark.django_db", 2)
    if not Path(settings.TZ_DATA_DIR).is_dir():
        pytest.exit(f"reference data folder {settings.TZ_DATA_DIR} is missing (TZ_DATA_DIR)", 2)
    with django_db_blocker.unblock():
        load_reference_data(commit=True)
        for dotted in CONTRACT_LOADERS:
            import_string(dotted)()


@pytest.fixture
def client():
    """pytest-django's client with the language switch's cookie set to English: tests read
    English messages. Tests of the other languages pass `lang=`."""
    from django.test import Client

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def english_messages():
    """Messages raised outside a request (actions, forms) in English too."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def portal_server(django_db_setup, django_db_blocker):
    """The portal under gunicorn on a free port, against the test database: a real server
    for real HTTP clients and the browser. Yields its base URL."""
    with running_portal(django_db_blocker) as base_url:
        yield base_url


def pytest_sessionfinish(session, exitstatus):
    """Uploads of this run lived in a temporary folder of their own (settings.test)."""
    import shutil

    media = Path(settings.MEDIA_ROOT)
    if media.name.startswith("tz-media-"):
        shutil.rmtree(media, ignore_errors=True)
