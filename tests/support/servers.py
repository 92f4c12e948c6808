"""A real portal process for HTTP and browser tests: gunicorn against the test database."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_of_test_db() -> str:
    from django.db import connection

    db = connection.settings_dict
    return (f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/"
            f"{db['NAME']}")


@contextmanager
def running_portal(django_db_blocker, extra_environment: dict[str, str] | None = None,
                   log_name: str = "test-server") -> Iterator[str]:
    """The portal under gunicorn (2 workers × 2 threads) on a free port, against the test
    database and with `extra_environment` on top of the test settings; yields its base URL.
    The data it serves must be committed (the session's reference data is)."""
    with django_db_blocker.unblock():
        database_url = database_url_of_test_db()
    port = free_port()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_portal.settings.test",
                   "DATABASE_URL": database_url, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                   **(extra_environment or {})}
    # One log per server and process, so parallel runs do not overwrite each other's.
    log_path = ROOT / "var" / f"{log_name}-{os.getpid()}-{port}.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "gis_portal.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "--timeout", "60"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{base_url}/jsi18n/", timeout=10).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass  # still starting
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"portal server did not start; see {log_path}")
                time.sleep(0.2)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=20)
