"""The register importer: CSV, XLSX and GeoJSON; a dry run unless committed; a row-by-row
report; rows with only an address are placed at their settlement and flagged approximate; bad
rows are refused and nothing of them is written."""

import csv
import json

import pytest
from django.core.management import call_command
from django.db.models import Count
from openpyxl import Workbook

from layers.areas.models import Settlement
from layers.heritage.importer import import_register
from layers.heritage.models import Monument, NaturalSite

pytestmark = pytest.mark.django_db

HEADER = ["register_number", "name_kk", "name_ru", "name_en", "category", "significance",
          "era", "lat", "lon", "address", "settlement_kato", "description_en"]


@pytest.fixture(scope="module")
def placed_settlement(django_db_setup, django_db_blocker):
    """A settlement with a point and a name no other settlement has."""
    with django_db_blocker.unblock():
        unique = (Settlement.objects.filter(geom__isnull=False).values("name_ru")
                  .annotate(n=Count("id")).filter(n=1).order_by("name_ru")
                  .values_list("name_ru", flat=True)[:1])
        return Settlement.objects.get(name_ru=unique[0])


def rows(settlement):
    return [
        ["T-001", "Бірінші", "Первый", "First mausoleum", "architecture", "republican",
         "medieval", "43.30", "68.27", "", "", "A good one."],
        # Only a text address: placed at the settlement, approximate.
        ["T-002", "Екінші", "Второй", "Address-only obelisk", "Памятник монументального "
         "искусства", "local", "", "", "", "ул. Абая, 1", settlement.kato, ""],
        # Bad rows: no position and no settlement; unknown category; duplicate number.
        ["T-003", "Үшінші", "Третий", "Nowhere stele", "memorial", "local", "", "", "",
         "somewhere", "", ""],
        ["T-004", "Төртінші", "Четвёртый", "Odd thing", "spaceship", "local", "", "43.1",
         "76.9", "", "", ""],
        ["T-001", "Бесінші", "Пятый", "Second claim of T-001", "archaeology", "local", "",
         "43.2", "76.8", "", "", ""],
    ]


def write_csv(path, settlement):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(settlement))
    return path


def check_report(report):
    statuses = [(row.row, row.outcome) for row in report.rows]
    assert statuses == [(2, "create"), (3, "create"), (4, "rejected"), (5, "rejected"),
                        (6, "rejected")]
    messages = {row.row: row.message for row in report.rows}
    assert "no position and no settlement" in messages[4]
    assert "unknown category 'spaceship'" in messages[5]
    assert "register number T-001 is already used by row 2" in messages[6]


def test_csv_dry_run_writes_nothing_and_commit_writes_the_good_rows(tmp_path,
                                                                    placed_settlement):
    path = write_csv(tmp_path / "register.csv", placed_settlement)
    dry = import_register(path, kind="monuments")
    check_report(dry)
    assert not Monument.objects.filter(register_number__startswith="T-").exists()

    check_report(import_register(path, kind="monuments", commit=True))
    first = Monument.objects.get(register_number="T-001")
    assert (first.kind, first.significance, first.era) == ("architecture", "republican",
                                                           "medieval")
    assert first.protection_status == "republican_list"
    assert first.description_en == "A good one."
    placed = Monument.objects.get(register_number="T-002")
    assert placed.kind == "monumental_art"
    assert placed.position_approximate
    assert placed.settlement == placed_settlement
    assert placed.geom.equals(placed_settlement.geom)
    # Tagged from the settlement's KATO code.
    assert placed.okrug is None or placed.okrug.kato[:6] == placed_settlement.kato[:6]
    assert placed.oblast.kato[:2] == placed_settlement.kato[:2]
    assert not Monument.objects.filter(register_number__in=["T-003", "T-004"]).exists()
    assert Monument.objects.filter(register_number="T-001").count() == 1

    # A reload updates, never duplicates.
    again = import_register(path, kind="monuments", commit=True)
    assert [r.outcome for r in again.rows[:2]] == ["update", "update"]
    assert Monument.objects.filter(register_number__startswith="T-").count() == 2


def test_xlsx_is_read_the_same_way(tmp_path, placed_settlement):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows(placed_settlement):
        sheet.append(row)
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    check_report(import_register(path, kind="monuments"))


def test_geojson_outlines_and_the_command_report(tmp_path, capsys):
    square = [[[77.0, 43.5], [77.1, 43.5], [77.1, 43.6], [77.0, 43.6], [77.0, 43.5]]]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": square},
         "properties": {"id": "test-lake", "name": "Test lake", "featurecla": "Lake"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [77.05, 43.55]},
         "properties": {"name": "Test peak", "featurecla": "mountain", "elevation": 3100}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [77.2, 43.2]},
         "properties": {"name": None, "featurecla": "mountain"}},
    ]}
    path = tmp_path / "nature.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    call_command("import_heritage", str(path), "--kind", "nature")
    out = capsys.readouterr().out
    assert "2 created, 0 updated, 0 skipped, 1 refused (dry run, nothing written)" in out
    assert "the row has no name" in out
    assert not NaturalSite.objects.filter(name_en="Test lake").exists()

    call_command("import_heritage", str(path), "--kind", "nature", "--commit")
    lake = NaturalSite.objects.get(name_en="Test lake")
    assert lake.kind == "lake" and lake.geom.geom_type == "MultiPolygon"
    assert lake.geom.covers(lake.point)
    assert lake.name_kk == lake.name_ru == "Test lake"  # one name shown in every language
    peak = NaturalSite.objects.get(name_en="Test peak")
    assert (peak.kind, peak.elevation_m) == ("peak", 3100)


def test_the_shared_sights_file_sorts_monuments_from_natural_sites(settings):
    path = f"{settings.TZ_DATA_DIR}/heritage/kz_notable_sites.csv"
    report = import_register(path, kind="monuments")
    assert report.count("rejected") == 0
    skipped = [row for row in report.rows if row.outcome == "skipped"]
    assert len(skipped) == 17 and report.count("update") == 25


def test_a_park_given_as_a_point_is_the_outline_already_loaded(tmp_path):
    square = [[[81.0, 45.0], [81.2, 45.0], [81.2, 45.2], [81.0, 45.2], [81.0, 45.0]]]
    outlines = tmp_path / "parks.geojson"
    outlines.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": square},
         "properties": {"id": "testpark", "kind": "national_park",
                        "name_en": "Testpark National Park", "name_ru": "Тестпарк",
                        "name_kk": "Тестпарк"}}]}), encoding="utf-8")
    import_register(outlines, kind="nature", commit=True)
    points = tmp_path / "sights.csv"
    points.write_text("slug,kind,category,significance,name_en,name_ru,name_kk,lat,lon\n"
                      "tp,natural,national_park,republican,Testpark National Park,Тестпарк,"
                      "Тестпарк,45.3,81.1\n"
                      "tl,natural,lake,local,Testpark lake,Озеро,Көл,45.1,81.1\n",
                      encoding="utf-8")
    report = import_register(points, commit=True)
    assert [row.outcome for row in report.rows] == ["skipped", "create"]
    assert "the outline Testpark National Park" in report.rows[0].message
    assert NaturalSite.objects.filter(name_en="Testpark National Park").count() == 1
