"""Fixtures of the reference data tests: the real data (loaded once per run), a loopback
HTTP server standing in for the public URLs, and empty reference tables on demand."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from data.boundaries.models import ReferenceDataLoad
from data.boundaries.pipeline import load_reference_data

DATA = Path(__file__).parent / "data"

# Order matters: parts and settlements point at areas, areas at generations.
_REFERENCE_TABLES = ("areas_adminareapart", "areas_settlement", "areas_adminarea",
                     "areas_boundarygeneration", "boundaries_referencedataload")


@pytest.fixture(scope="package")
def reference_data(django_db_setup, django_db_blocker) -> dict:
    """The report (as stored) of the committed load of the real data. tests/conftest.py loads
    it once per run; when it has not, this loads it, and it stays for the rest of the run."""
    with django_db_blocker.unblock():
        report = load_reference_data(commit=True)
        assert not report.aborted, report.as_text()
        return ReferenceDataLoad.objects.first().report


@pytest.fixture
def empty_reference_tables(db):
    """No reference rows for the duration of one test: deleted inside the test's transaction,
    so the rollback brings them back. DELETE, not TRUNCATE, which would need every table
    with a foreign key to the areas truncated too; other layers' area tags are cleared first."""
    from layers.areas.generations import area_tagged_models

    with connection.cursor() as cursor:
        for model in area_tagged_models():
            cursor.execute(f"UPDATE {connection.ops.quote_name(model._meta.db_table)} "
                           "SET oblast_id = NULL, district_id = NULL, okrug_id = NULL")
        for table in _REFERENCE_TABLES:
            cursor.execute(f"DELETE FROM {table}")
    yield
    # The layers' committed rows still point at the deleted settlements: the test's transaction
    # is marked for rollback, so Django skips its end-of-test constraint check and the rollback
    # brings every reference row back.
    transaction.set_rollback(True)


@pytest.fixture
def data_server():
    """http://127.0.0.1:<port>/ serving settings.TZ_DATA_DIR; .requests lists the paths asked."""
    requests: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, format, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(Handler, directory=str(settings.TZ_DATA_DIR)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    server.requests = requests
    yield server
    server.shutdown()
    server.server_close()
