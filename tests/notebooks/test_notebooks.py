"""Every planners' notebook runs top to bottom against the test database; the notebooks that
read the portal as an outside planner would (its public API) get a running portal's URL."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.support.servers import database_url_of_test_db

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
# What each notebook prints when it has done its work (every one writes its folium map).
PRINTED = {
    "settlements_per_district": ["districts"],
    "area_profile": ["area profile of", "settlements,", "help:"],
    "gap_study": ["gap map:", "threshold", "settlements with unemployment"],
    "trip_catalogue": ["eco-routes", "catalogue of", "road trip"],
}

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch, django_db_blocker, portal_server):
    with django_db_blocker.unblock():
        monkeypatch.setenv("DATABASE_URL", database_url_of_test_db())
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "gis_portal.settings.test")
    monkeypatch.setenv("TZ_PORTAL_URL", portal_server)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(out.get("text", "") for cell in notebook.cells
                      for out in cell.get("outputs", []))
    assert "map written to" in printed
    for expected in PRINTED.get(path.stem, []):
        assert expected in printed, (expected, printed[-2000:])


def test_there_are_notebooks_to_run():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


def test_every_notebook_says_what_it_prints():
    assert {p.stem for p in NOTEBOOKS} <= set(PRINTED)
