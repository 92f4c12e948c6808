"""Every planners' notebook runs top to bottom against the test database."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.support.servers import database_url_of_test_db

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch, django_db_blocker):
    with django_db_blocker.unblock():
        monkeypatch.setenv("DATABASE_URL", database_url_of_test_db())
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "gis_portal.settings.test")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(out.get("text", "") for cell in notebook.cells
                      for out in cell.get("outputs", []))
    assert "districts" in printed and "map written to" in printed


def test_there_are_notebooks_to_run():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
