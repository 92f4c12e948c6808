"""Bad input is reported with a reason and nothing is half-written.

Decision for invalid polygons: a self-intersecting polygon is repaired with make_valid and its
polygonal parts kept (as for the real Ulytau district); a polygon with nothing polygonal left
after repair (zero area) is rejected, since no shape is better than an invented one. A file
with a wrong CRS, a broken or garbled row or a missing column is rejected whole.
"""

import pytest
from django.core.management import CommandError, call_command

from data.boundaries import manifest
from data.boundaries.importers import BoundaryImporter, GenerationSpec, KatoImporter
from data.boundaries.importers.boundaries import GENERATIONS
from layers.areas.models import AdminArea, AdminAreaPart, BoundaryGeneration

from .conftest import DATA

TEST_SPEC = GenerationSpec(code="test", label="test generation", valid_from=None,
                           adm1="adm1", adm2="adm2", names_from_kato=False)


def _boundaries(adm2_file: str) -> BoundaryImporter:
    return BoundaryImporter(TEST_SPEC, paths={"adm1": DATA / "adm1_test.geojson",
                                              "adm2": DATA / adm2_file})


@pytest.mark.django_db
def test_self_intersecting_polygon_is_repaired_and_degenerate_rejected():
    report = _boundaries("adm2_invalid_polygons.geojson").run(commit=True)

    assert not report.aborted
    bowtie = AdminArea.objects.get(generation__code="test", kato="991000000")
    assert bowtie.geom.valid and bowtie.geom.geom_type == "MultiPolygon"
    assert len(bowtie.geom) == 2  # the two triangles of the bowtie
    assert bowtie.parent.kato == "990000000" and bowtie.area_km2 > 0
    assert bowtie.geom_simplified.valid
    assert AdminAreaPart.objects.filter(area=bowtie).exists()
    assert any("991000000: invalid polygon (Self-intersection" in n for n in report.notes)

    reasons = {r.key: r.reason for r in report.rejections}
    assert reasons["993200000"] == "KATO code appears twice in the file"
    assert reasons["993400000"].startswith("no polygonal geometry after repair")
    assert set(AdminArea.objects.filter(generation__code="test")
               .values_list("kato", flat=True)) == {"990000000", "991000000", "993200000"}


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    report = _boundaries("adm2_invalid_polygons.geojson").run(commit=False)

    assert report.total("created") == 4  # generation, oblast, two districts
    assert not report.committed
    assert not BoundaryGeneration.objects.filter(code="test").exists()
    assert not AdminArea.objects.filter(kato__startswith="99").exists()


@pytest.mark.django_db
def test_second_commit_changes_nothing():
    _boundaries("adm2_invalid_polygons.geojson").run(commit=True)
    report = _boundaries("adm2_invalid_polygons.geojson").run(commit=True)

    assert report.total("created") == 0 and report.total("updated") == 0
    assert report.total("unchanged") == 4


@pytest.mark.django_db
@pytest.mark.parametrize("adm2_file, message", [
    ("adm2_epsg3857.geojson", "declares WGS 84 / Pseudo-Mercator (EPSG:3857); expected EPSG:4326"),
    ("adm2_prj_3857.shp", "declares WGS 84 / Pseudo-Mercator (EPSG:3857); expected EPSG:4326"),
    ("adm2_metres_as_degrees.geojson", "are not degrees although EPSG:4326 is declared"),
])
def test_wrong_crs_is_rejected_with_nothing_written(adm2_file, message):
    report = _boundaries(adm2_file).run(commit=True)

    assert report.aborted and message in report.aborted_reason
    assert adm2_file in report.aborted_reason
    assert not BoundaryGeneration.objects.filter(code="test").exists()
    assert "ABORTED, nothing written" in report.as_text()


@pytest.mark.django_db
@pytest.mark.parametrize("csv_file, message", [
    ("kato_truncated.csv", "line 4 has 5 fields, expected 6: truncated or garbled row"),
    ("kato_garbled.csv", "not UTF-8 text"),
    ("kato_missing_column.csv", "required column(s) missing: name_kk"),
])
def test_broken_classifier_is_rejected_with_nothing_written(csv_file, message):
    """Both importers that read the classifier refuse it before writing anything."""
    before = (AdminArea.objects.count(), BoundaryGeneration.objects.count())
    boundaries = BoundaryImporter(GENERATIONS["2024"],
                                  paths={manifest.KATO: DATA / csv_file}).run(commit=True)
    okrugs = KatoImporter(paths={manifest.KATO: DATA / csv_file}).run(commit=True)

    for report in (boundaries, okrugs):
        assert report.aborted and message in report.aborted_reason
    assert (AdminArea.objects.count(), BoundaryGeneration.objects.count()) == before


@pytest.mark.django_db
def test_command_reports_a_rejected_file_and_fails(capsys):
    with pytest.raises(CommandError, match="aborted; nothing was written"):
        call_command("import_kato", "--commit", "--kato", str(DATA / "kato_truncated.csv"))
    assert "line 4 has 5 fields" in capsys.readouterr().out


def test_okrugs_need_the_districts_first(empty_reference_tables):
    report = KatoImporter().run(commit=True)

    assert report.aborted
    assert "run import_boundaries first" in report.aborted_reason
    assert not AdminArea.objects.exists()
