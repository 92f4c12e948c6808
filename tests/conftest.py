"""Test set-up: a PostGIS test database holding the real reference data, loaded once per run,
and a real portal server process for HTTP and browser tests."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with Kazakhstan's real boundaries, KATO and settlements committed,
    so every test (and the server process) sees them; each test's own writes roll back."""
    from data.boundaries.pipeline import load_reference_data

    if not Path(settings.TZ_DATA_DIR).is_dir():
        pytest.exit(f"reference data folder {settings.TZ_DATA_DIR} is missing (TZ_DATA_DIR)", 2)
    with django_db_blocker.unblock():
        load_reference_data(commit=True)


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_of_test_db() -> str:
    from django.db import connection

    db = connection.settings_dict
    return (f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/"
            f"{db['NAME']}")


@pytest.fixture(scope="session")
def portal_server(django_db_setup, django_db_blocker):
    """The portal under gunicorn on a free port, against the test database: a real server
    for real HTTP clients and the browser. Yields its base URL."""
    with django_db_blocker.unblock():
        database_url = database_url_of_test_db()
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_portal.settings.test",
           "DATABASE_URL": database_url, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    log = open(ROOT / "var" / "test-server.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gis_portal.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base_url}/api/layers/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"portal server did not start; see {log.name}")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
