"""The full real load: counts, known defects, okrugs, settlements, idempotency, dry run."""

import csv
import re
import shutil

import pytest
from django.db import connection

from data.boundaries import manifest
from data.boundaries.kato import district_of, okrug_of
from data.boundaries.models import ReferenceDataLoad
from data.boundaries.names import OTHER_NAMES_FILE, latin_key
from data.boundaries.pipeline import load_reference_data
from layers.areas.models import AdminArea, AdminAreaPart, BoundaryGeneration, Settlement

pytestmark = pytest.mark.django_db

REPUBLICAN_CITIES = ("710000000", "750000000", "790000000")
CONTAINED = {"615500000": "612000000", "635500000": "635200000", "636300000": "635400000",
             "711610000": "711110000"}


def area(code: str, kato: str) -> AdminArea:
    return AdminArea.objects.get(generation__code=code, kato=kato)


def test_counts_per_generation_and_level(reference_data):
    counts = {
        (code, level): AdminArea.objects.filter(generation__code=code, level=level).count()
        for code in ("2018", "2024") for level in ("oblast", "district", "okrug")
    }
    assert counts == {
        ("2018", "oblast"): 17, ("2018", "district"): 216, ("2018", "okrug"): 0,
        ("2024", "oblast"): 20, ("2024", "district"): 228, ("2024", "okrug"): 2360,
    }
    assert BoundaryGeneration.current().code == "2024"
    # 12,986 KATO settlement rows and 42 cities KATO lists only as administrative units.
    assert Settlement.objects.count() == 12986 + 42
    assert not any(step["rejections"] or step["aborted_reason"]
                   for step in reference_data["steps"])


def test_every_geometry_is_valid_2d_multipolygon_with_derived_columns(reference_data):
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FILTER (WHERE NOT ST_IsValid(geom)),
                   count(*) FILTER (WHERE ST_CoordDim(geom) <> 2),
                   count(*) FILTER (WHERE GeometryType(geom) <> 'MULTIPOLYGON'),
                   count(*) FILTER (WHERE geom_simplified IS NULL OR NOT ST_IsValid(geom_simplified)
                                    OR GeometryType(geom_simplified) <> 'MULTIPOLYGON'),
                   count(*) FILTER (WHERE area_km2 IS NULL OR area_km2 <= 0),
                   count(*) FILTER (WHERE NOT EXISTS (
                       SELECT 1 FROM areas_adminareapart p WHERE p.area_id = a.id))
            FROM areas_adminarea a WHERE geom IS NOT NULL
        """)
        assert cursor.fetchone() == (0, 0, 0, 0, 0, 0)
        cursor.execute("SELECT max(ST_NPoints(geom)) FROM areas_adminareapart")
        assert cursor.fetchone()[0] <= 128 + 5  # ST_Subdivide's limit, plus closing points
    assert not AdminAreaPart.objects.filter(area__geom__isnull=True).exists()
    assert not AdminArea.objects.filter(geom__isnull=True, area_km2__isnull=False).exists()


def test_total_area_is_kazakhstans(reference_data):
    for code in ("2018", "2024"):
        total = sum(AdminArea.objects.filter(generation__code=code, level="oblast")
                    .values_list("area_km2", flat=True))
        assert 2_700_000 < total < 2_750_000  # 2,724,900 km² officially


def test_remapped_districts_have_their_polygons(reference_data):
    zhanasemey = area("2024", "104100000")
    assert zhanasemey.geom is not None and zhanasemey.name_en == "Zhanasemey"
    assert zhanasemey.name_kk == "Жаңасемей ауданы" and zhanasemey.parent.kato == "100000000"
    satpaev = area("2024", "622000000")
    assert satpaev.geom is not None and satpaev.level == "district"
    assert satpaev.parent.kato == "620000000" and satpaev.kind == "Г.А."
    # The source's wrong codes are cities (okrug level) in the classifier, not districts.
    assert area("2024", "101010000").level == "okrug"
    assert area("2024", "622010000").level == "okrug"


def test_districts_without_polygon_say_so(reference_data):
    for kato, container in CONTAINED.items():
        district = area("2024", kato)
        assert district.geom is None and district.geom_simplified is None
        assert "no polygon" in district.geometry_note
        assert f"({container})" in district.geometry_note
        assert not district.approximate
    assert area("2024", "711610000").parent.kato == "710000000"


def test_self_intersecting_ulytau_district_is_repaired(reference_data):
    ulytau = area("2024", "623800000")
    assert ulytau.geom.valid and ulytau.parent.kato == "620000000"
    assert 100_000 < ulytau.area_km2 < 130_000


def test_names(reference_data):
    # 2024: classifier names, English from the boundary file.
    assert area("2024", "113400000").name_ru == "Аршалынский район"
    assert area("2024", "590000000").name_kk == "Солтүстік Қазақстан облысы"
    assert area("2024", "331000000").name_en == "Taldykorgan"
    # 2018: the file's names with the listed typos fixed.
    assert area("2018", "113400000").name_ru == "Аршалинский"
    assert area("2018", "791510000").name_ru == "Енбекшинский"
    assert area("2018", "791710000").name_ru == "Каратауский"
    assert area("2018", "590000000").name_kk == "Солтүстік Қазақстан"
    taldykorgan = area("2018", "191000000")
    assert (taldykorgan.name_kk, taldykorgan.name_ru) == ("Талдықорған", "Талдыкорган")
    latin = re.compile(r"[A-Za-z]")
    for name_kk, name_ru in AdminArea.objects.values_list("name_kk", "name_ru"):
        assert not latin.search(name_kk + name_ru), (name_kk, name_ru)


def test_english_names_of_okrugs_and_settlements(reference_data):
    """KATO has no English: okrugs and settlements get their Kazakh names romanised, in
    Latin letters only, so the English map never falls back to Cyrillic."""
    cyrillic = re.compile(r"[\u0400-\u04ff]")
    okrugs = AdminArea.objects.filter(generation__code="2024", level="okrug")
    for name_en in [*okrugs.values_list("name_en", flat=True),
                    *Settlement.objects.values_list("name_en", flat=True)]:
        assert name_en and not cyrillic.search(name_en), name_en
    assert Settlement.objects.get(kato="750000000").name_en == "Almaty"
    assert okrugs.filter(name_kk__endswith=" а.о.", name_en__endswith=" rural okrug").count() \
        == okrugs.filter(name_kk__endswith=" а.о.").count() > 1000


def test_renamed_towns_carry_their_former_names(reference_data):
    """Every row of other_names.csv names a settlement KATO still lists under the Russian
    name the row expects (a wrong code would hang Tselinograd on another town), and the
    loaded town shows its former names and is found by each of them."""
    with OTHER_NAMES_FILE.open(encoding="utf-8", newline="") as table:
        rows = list(csv.DictReader(table))
    assert len(rows) > 30 and {row["kind"] for row in rows} == {"former", "spelling"}
    for row in rows:
        town = Settlement.objects.get(kato=row["kato"])
        assert town.name_ru == row["current_name_ru"], row
        assert latin_key(row["name"]) in town.name_search.split("|"), row
        assert (row["name"] in town.former_names.split(", ")) == (row["kind"] == "former"), row
    astana = Settlement.objects.get(kato="710000000")
    assert astana.former_names == "Акмолинск, Целиноград, Акмола, Нур-Султан"
    assert Settlement.objects.filter(former_names="").count() == Settlement.objects.count() - \
        len({row["kato"] for row in rows if row["kind"] == "former"})


def test_hierarchy(reference_data):
    for code in ("2018", "2024"):
        for district in AdminArea.objects.filter(generation__code=code, level="district"):
            assert district.parent.generation_id == district.generation_id
            assert district.parent.kato == district.kato[:2] + "0000000"
            assert district.parent.level == "oblast"
    assert area("2024", "751110000").parent.kato == "750000000"  # a city district of Almaty
    assert area("2024", "750000000").level == "oblast"
    okrug = area("2024", "103233000")
    assert okrug.parent.kato == "103200000" and okrug.kind in {"с.о.", "с.а.", "п.а."}


def test_okrug_polygons_are_approximate_and_explained(reference_data):
    okrugs = AdminArea.objects.filter(generation__code="2024", level="okrug")
    drawn = okrugs.filter(geom__isnull=False)
    assert drawn.count() > 2200
    assert not drawn.filter(approximate=False).exists()
    for note in drawn.values_list("geometry_note", flat=True):
        assert note.startswith("Approximate: ")
    undrawn = okrugs.filter(geom__isnull=True)
    assert undrawn.exists() and not undrawn.filter(geometry_note="").exists()
    assert not okrugs.filter(approximate=False).exists()  # a level of derived boundaries
    # An okrug of Markakol (no district polygon) is drawn inside Kurshim's polygon.
    markakol = okrugs.filter(parent__kato="635500000", geom__isnull=False).first()
    assert markakol is not None and "635200000" in markakol.geometry_note
    # Cities administered as one okrug-level unit sit at their own point.
    assert "city's OpenStreetMap point" in area("2024", "551010000").geometry_note


def test_settlements_geocoded_and_tagged(reference_data):
    total = Settlement.objects.count()
    geocoded = Settlement.objects.filter(position_source__in=("osm", "geonames"))
    # Measured: 5,799 from OSM and 390 from GeoNames of 13,028 (47.5 %).
    assert 0.47 <= geocoded.count() / total < 0.50
    assert not geocoded.exclude(match="exact").exists()
    assert not Settlement.objects.exclude(position_source__in=("osm", "geonames")) \
        .exclude(match="none").exists()
    assert geocoded.filter(population__isnull=False).count() > 2000
    assert not geocoded.filter(position_source="osm", osm_id__isnull=True).exists()
    # Tags follow the point: the KATO district, or the district containing one without polygon.
    for kato, district, okrug in geocoded.exclude(kato__in=REPUBLICAN_CITIES).values_list(
            "kato", "district__kato", "okrug__kato"):
        assert district == CONTAINED.get(district_of(kato), district_of(kato)), kato
        assert okrug in (okrug_of(kato), None), kato
    # The cities KATO lists only as units are settlements too, at their OSM point.
    almaty = Settlement.objects.get(kato="750000000")
    assert almaty.osm_place == "city" and almaty.population > 1_000_000
    assert almaty.oblast.kato == "750000000" and almaty.district.parent.kato == "750000000"
    semey = Settlement.objects.get(kato="101010000")
    assert semey.geom is not None and semey.okrug.kato == "101010000"
    # Not in any gazetteer: an approximate point in its okrug, tagged by its KATO okrug.
    ungeocoded = Settlement.objects.get(kato="103433106")
    assert ungeocoded.position_source in ("okrug_centre", "district")
    assert ungeocoded.district.kato == "103400000" and ungeocoded.okrug.kato == "103433000"


def test_second_commit_changes_nothing(reference_data):
    report = load_reference_data(commit=True, force=True)

    assert report.committed and not report.aborted
    assert report.total("created") == 0
    assert report.total("updated") == 0
    fallback_positions = Settlement.objects.filter(
        position_source__in=("okrug_centre", "district")).count()
    assert report.total("unchanged") == (2 + 17 + 216 + 20 + 228 + 2360 + 13028 + 2360
                                         + fallback_positions)


def test_same_manifest_is_skipped(reference_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        report = load_reference_data(commit=True)
    assert report.skipped
    assert ReferenceDataLoad.objects.first().manifest_sha256 == manifest.manifest_checksum()


def test_dry_run_writes_nothing(reference_data, empty_reference_tables):
    report = load_reference_data(commit=False)

    assert not report.committed and not report.aborted
    assert report.step("import_settlements").counts["settlement"]["created"] == 13028
    assert report.step("derive_okrugs").counts["2024 okrug polygon"]["updated"] > 2200
    for model in (BoundaryGeneration, AdminArea, AdminAreaPart, Settlement, ReferenceDataLoad):
        assert not model.objects.exists(), model


def test_corrupt_source_aborts_the_whole_load(reference_data, empty_reference_tables,
                                               settings, tmp_path):
    """The 2018 boundaries load fine, then the classifier fails its checksum: nothing stays."""
    for entry in manifest.MANIFEST:
        target = tmp_path / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(settings.TZ_DATA_DIR / entry.path)
    kato = tmp_path / "sources/kato/kato.csv"
    kato.unlink()
    shutil.copyfile(settings.TZ_DATA_DIR / "sources/kato/kato.csv", kato)
    with open(kato, "a", encoding="utf-8") as handle:
        handle.write("999999999,NK RK 11-2025,settlement,2,с.Лишнее,Артық а.\n")

    report = load_reference_data(commit=True, data_dir=tmp_path)

    assert report.aborted and not report.committed
    assert report.step("import_boundaries 2018").counts["2018 district"]["created"] == 216
    assert "does not match the manifest" in report.step("import_boundaries 2024").aborted_reason
    assert "ABORTED, nothing written" in report.as_text()
    for model in (BoundaryGeneration, AdminArea, AdminAreaPart, ReferenceDataLoad):
        assert not model.objects.exists(), model
