"""Settlement positions: the gazetteer match rules on small built files, the fallback order and
its flags, staff positions across reloads, nothing outside its district, re-deriving."""

import csv
import json

import pytest
import shapely
from django.contrib.gis.geos import Point
from django.db import connection

from data.boundaries import manifest
from data.boundaries.importers import SettlementImporter, SettlementPlacer
from data.boundaries.importers.fallbacks import (
    okrug_centres,
    radius_m,
    settlements_outside_their_district,
)
from data.boundaries.importers.geonames import distance_km
from data.boundaries.kato import okrug_of
from data.boundaries.names import latin_key, transliterate
from data.boundaries.pipeline import load_reference_data
from data.boundaries.positions import rederive_after_position_change
from layers.areas.models import AdminArea, Settlement

pytestmark = pytest.mark.django_db

Source = Settlement.PositionSource
DISTRICT = "113400000"  # Arshaly district, Akmola: one polygon, several okrugs
OTHER_DISTRICT = "113200000"


# --- transliteration (no database) ----------------------------------------------------------------
@pytest.mark.parametrize("cyrillic, latin", [
    ("Ұзынағаш", "Uzynaghash"),
    ("Жаңаөзен", "Zhangaozen"),
    ("Қорқыт", "Qorqyt"),
    ("Щучинск", "Shchuchinsk"),
    ("Юбилейное", "Yubileynoe"),
    ("Шұбарқұдық", "Shubarqudyq"),
])
def test_transliteration_writes_as_geonames_does(cyrillic, latin):
    assert transliterate(cyrillic) == latin


@pytest.mark.parametrize("kato_name, geonames_latin", [
    ("с.Николаевка", "Nikolayevka"),       # Russian -ye- after a vowel
    ("с.Артемовка", "Artyomovka"),         # ё written е in KATO
    ("с.Новоишимский", "Novoishimskiy"),
    ("Мәдениет а.", "Madeniyet"),
    ("с.Шұңқыркөл", "Shunqyrkol"),
    ("с.Ақсу", "Aksu"),                    # q or k
    ("с.Ұзынағаш", "Uzynagash"),           # gh or g
])
def test_romanised_spellings_meet(kato_name, geonames_latin):
    assert latin_key(kato_name) == latin_key(geonames_latin)


def test_different_romanised_names_stay_apart():
    assert latin_key("с.Аксу") != latin_key("Aksay")
    assert latin_key("с.Карабулак") != latin_key("Karabalyk")


# --- fallback rules (no database) -----------------------------------------------------------------
def test_okrug_centre_is_the_namesake_village_else_the_first_numbered():
    okrugs = {"111111000": "с.о.Елтоқ", "222222000": "Ынтымакский с.о.",
              "333333000": "Пустой с.о."}
    settlements = {"111111100": "с.Басқа", "111111300": "с.Елтоқ",
                   "222222100": "с.Корикти", "222222200": "с.Ынтымак"}
    assert okrug_centres(okrugs, settlements) == {"111111000": "111111300",
                                                  "222222000": "222222100"}


def test_fallback_order_and_flags():
    okrug = {"name_ru": "", "point": (70.0, 50.0), "radius_m": 9000}
    unshaped = {"name_ru": "", "point": None, "radius_m": None}
    districts = {"111100000": {"name_ru": "", "point": (71.0, 51.0), "radius_m": 40000}}
    centre_point = Point(70.5, 50.5, srid=4326)

    def fallback(kato, okrugs, precise):
        return SettlementPlacer._fallback(kato, "111100000", okrugs, districts,
                                          {"111111000": "111111100"}, precise)

    # 1. the okrug's centre village, where a gazetteer placed it: the okrug's radius
    assert fallback("111111300", {"111111000": okrug}, {"111111100": centre_point}) == (
        Source.OKRUG_CENTRE, (70.5, 50.5), 9000)
    # 2. the centre itself, or an unplaced centre: a point inside the okrug
    assert fallback("111111100", {"111111000": okrug}, {"111111100": centre_point}) == (
        Source.DISTRICT, (70.0, 50.0), 9000)
    assert fallback("111111300", {"111111000": okrug}, {}) == (
        Source.DISTRICT, (70.0, 50.0), 9000)
    # 3. an okrug without polygon: a point inside the district, the district's radius
    assert fallback("111111300", {"111111000": unshaped}, {}) == (
        Source.DISTRICT, (71.0, 51.0), 40000)
    # An okrug without polygon whose centre is placed: the centre, at the district's radius.
    assert fallback("111111300", {"111111000": unshaped}, {"111111100": centre_point}) == (
        Source.OKRUG_CENTRE, (70.5, 50.5), 40000)


def test_radius_of_an_area():
    assert radius_m(3.14159265) == 1000
    assert radius_m(None) is None


# --- match rules on built files (inside the real Arshaly district polygon) -----------------------
def _points_inside(kato: str, count: int, spacing_deg: float = 0.25) -> list[tuple[float, float]]:
    """Points well inside a district polygon, at least spacing_deg apart."""
    geom = AdminArea.objects.get(generation__code="2024", kato=kato).geom
    polygon = shapely.from_wkb(bytes(geom.wkb)).buffer(-0.05)
    min_x, min_y, max_x, max_y = polygon.bounds
    points, y = [], min_y
    while y < max_y and len(points) < count:
        x = min_x
        while x < max_x and len(points) < count:
            if polygon.contains(shapely.Point(x, y)):
                points.append((round(x, 5), round(y, 5)))
            x += spacing_deg
        y += spacing_deg
    assert len(points) == count
    return points


def _write_kato(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kato", "kato_version", "level", "type_code", "name_ru", "name_kk"])
        for kato, name_ru, name_kk in rows:
            writer.writerow([kato, "NK RK 11-2025", "settlement", "2", name_ru, name_kk])


def _write_localities(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["wof_id", "geonameid", "feature_code", "lon", "lat", "name_latin",
                         "names_ru", "names_kk", "is_current"])
        for number, (point, latin, ru, kk, current) in enumerate(rows, start=1):
            writer.writerow([900000 + number, 100 + number, "PPL", point[0], point[1], latin, ru,
                             kk, current])


def _write_osm(path, rows):
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(point)},
         "properties": {"name": name, "name:kk": None, "name:ru": name, "name:en": None,
                        "place": "village", "population": "100", "osm_id": 800000 + number}}
        for number, (point, name) in enumerate(rows, start=1)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")


@pytest.fixture
def built_import(reference_data, db, tmp_path):
    """The settlement import run on built KATO, OSM and GeoNames files; returns the importer."""
    p = _points_inside(DISTRICT, 9)
    elsewhere = _points_inside(OTHER_DISTRICT, 1)[0]
    _write_kato(tmp_path / "kato.csv", [
        ("113431991", "с.Тестовое", "Тестовое а."),          # Cyrillic GeoNames name
        ("113431992", "с.Жаңақоныс", "Жаңақоныс а."),         # romanised name only
        ("113431993", "с.Екіжол", "Екіжол а."),               # two equal places: a tie
        ("113431994", "с.Бірлік", "Бірлік а."),               # one point, two settlements
        ("113433994", "с.Бирлик", "Бірлік а."),
        ("113431995", "с.Ескиаул", "Ескіауыл а."),            # only a not-current row
        ("113431996", "с.Косагаш", "Қосағаш а."),             # OSM and GeoNames far apart
        ("113431997", "с.Шеткиаул", "Шеткіауыл а."),          # GeoNames point in another district
        ("113431998", "с.Белгисиз", "Белгісіз а."),           # unknown currency (-1) is kept
    ])
    _write_localities(tmp_path / "localities.csv", [
        (p[0], "Testovoye", "Тестовое", "", "-1"),
        (p[1], "Zhangaqonys", "", "Zhangaqonys", "-1"),
        (p[2], "Ekizhol", "Екижол", "", "-1"),
        (p[3], "Ekizhol", "Екижол", "", "-1"),
        (p[4], "Birlik", "Бирлик", "Бірлік", "1"),
        (p[5], "Eskiaul", "Ескиаул", "", "0"),
        (p[6], "Kosagash", "Косагаш", "", "1"),
        (elsewhere, "Shetkiaul", "Шеткиаул", "", "1"),
        (p[7], "Belgisiz", "Белгисиз", "", "-1"),
    ])
    osm_point = p[8]  # the same name at least 0.25° (≥ 17 km) away
    _write_osm(tmp_path / "osm.geojson", [(osm_point, "Косагаш")])
    importer = SettlementImporter(paths={
        manifest.KATO: tmp_path / "kato.csv",
        manifest.WOF_GEONAMES: tmp_path / "localities.csv",
        manifest.OSM_PLACES: tmp_path / "osm.geojson",
    })
    importer.load()
    importer.points = {"tie": p[2:4], "osm": osm_point, "geonames_kosagash": p[6]}
    return importer


def _placed(kato):
    settlement = Settlement.objects.get(kato=kato)
    return settlement.position_source, settlement.geom and settlement.geom.coords


def test_cyrillic_geonames_name_places(built_import):
    source, point = _placed("113431991")
    assert source == Source.GEONAMES and point is not None
    settlement = Settlement.objects.get(kato="113431991")
    assert settlement.match == Settlement.Match.EXACT
    assert settlement.position_precision_m == 1000 and settlement.osm_id is None
    assert _placed("113431998")[0] == Source.GEONAMES  # is_current -1: kept


def test_romanised_name_places(built_import):
    assert _placed("113431992")[0] == Source.GEONAMES


def test_tie_and_shared_point_stay_unplaced(built_import):
    assert _placed("113431993") == (None, None)
    assert _placed("113431994") == (None, None)
    assert _placed("113433994") == (None, None)
    figures = built_import.report.figures
    assert figures["not placed by GeoNames, ambiguous: equally ranked places"] == 1
    assert figures["not placed by GeoNames, ambiguous: several KATO units on one point"] == 2


def test_not_current_row_and_point_outside_district_are_not_used(built_import):
    assert _placed("113431995") == (None, None)
    assert _placed("113431997") == (None, None)
    assert built_import.report.figures["GeoNames localities not current (dropped)"] == 1


def test_cross_check_keeps_osm_and_lists_the_disagreement(built_import):
    settlement = Settlement.objects.get(kato="113431996")
    assert settlement.position_source == Source.OSM
    assert settlement.geom.coords == built_import.points["osm"]
    assert settlement.osm_id == 800001
    (kato, name, km), = built_import.cross_check_disagreements
    assert (kato, name) == ("113431996", "с.Косагаш")
    assert km == pytest.approx(distance_km(*built_import.points["osm"],
                                           *built_import.points["geonames_kosagash"]))
    assert km > 10
    assert any(note.startswith("cross-check: 113431996") for note in built_import.report.notes)


def test_unplaced_built_settlements_get_flagged_fallbacks(built_import):
    placer = SettlementPlacer()
    placer.load()
    for kato in ("113431993", "113431994", "113431995", "113431997"):
        settlement = Settlement.objects.get(kato=kato)
        assert settlement.position_source in (Source.OKRUG_CENTRE, Source.DISTRICT), kato
        assert settlement.position_precision_m > 1000
        assert settlement.match == Settlement.Match.NONE
        assert settlement.okrug.kato == okrug_of(kato)
        assert settlement.district.kato == DISTRICT
    assert settlements_outside_their_district() == 0


# --- the shipped data -------------------------------------------------------------------------------
def test_every_settlement_has_a_flagged_position(reference_data):
    total = Settlement.objects.count()
    assert not Settlement.objects.filter(geom__isnull=True).exists()
    assert not Settlement.objects.filter(position_source__isnull=True).exists()
    assert not Settlement.objects.filter(position_precision_m__isnull=True).exists()
    gazetteer = Settlement.objects.filter(position_source__in=(Source.OSM, Source.GEONAMES))
    assert gazetteer.count() / total >= 0.47
    assert not gazetteer.exclude(match=Settlement.Match.EXACT).exists()
    assert not Settlement.objects.exclude(position_source__in=(Source.OSM, Source.GEONAMES)) \
        .filter(match=Settlement.Match.EXACT).exists()
    assert settlements_outside_their_district() == 0
    figures = next(step for step in reference_data["steps"]
                   if step["name"] == "place_settlements")["figures"]
    assert figures["settlements outside their district polygon"] == 0
    assert "positions 62 Ulytau" in figures


def test_okrug_centre_fallback_sits_on_the_centre_village(reference_data):
    settlement = Settlement.objects.filter(position_source=Source.OKRUG_CENTRE).first()
    okrug = AdminArea.objects.get(generation__code="2024", kato=okrug_of(settlement.kato))
    centre = Settlement.objects.get(geom=settlement.geom,
                                    position_source__in=(Source.OSM, Source.GEONAMES),
                                    kato__startswith=settlement.kato[:6])
    assert okrug_of(centre.kato) == okrug.kato
    expected = radius_m(okrug.area_km2) if okrug.geom else None
    if expected:
        assert settlement.position_precision_m == expected
    assert settlement.okrug_id == okrug.id


def test_staff_position_survives_a_reload(reference_data):
    settlement = Settlement.objects.filter(position_source=Source.DISTRICT).order_by("kato").first()
    district = AdminArea.objects.get(pk=settlement.district_id)
    inside = district.geom.point_on_surface
    staff_point = Point(round(inside.x, 6), round(inside.y, 6), srid=4326)
    Settlement.objects.filter(pk=settlement.pk).update(
        geom=staff_point, position_source=Source.STAFF, position_precision_m=50)

    report = load_reference_data(commit=True, force=True)

    assert report.committed and not report.aborted
    settlement.refresh_from_db()
    assert settlement.position_source == Source.STAFF
    assert settlement.position_precision_m == 50
    assert settlement.geom.coords == staff_point.coords


def test_rederive_after_a_staff_correction(reference_data):
    """An okrug with no placed settlement gets a polygon once staff place its centre, and
    its other settlements move to that centre."""
    okrug = AdminArea.objects.get(generation__code="2024", kato="355241000")  # с.о.Құлан
    assert okrug.geom is None
    members = list(Settlement.objects.filter(kato__startswith="355241").order_by("kato"))
    assert len(members) == 2
    centre = Settlement.objects.get(kato="355241100")
    district = AdminArea.objects.get(pk=centre.district_id)
    inside = district.geom.point_on_surface
    # Staff move the centre 2 km from wherever the district fallback had put it.
    staff_point = Point(round(inside.x + 0.02, 6), round(inside.y, 6), srid=4326)
    assert district.geom.contains(staff_point)
    Settlement.objects.filter(pk=centre.pk).update(
        geom=staff_point, position_source=Source.STAFF, position_precision_m=50)

    summary = rederive_after_position_change([centre.pk])

    okrug.refresh_from_db()
    assert okrug.geom is not None and okrug.geom.intersects(staff_point)
    assert summary["okrug polygons changed"] >= 1 and summary["areas.Settlement"] > 0
    other = next(s for s in members if s.pk != centre.pk)
    other.refresh_from_db()
    assert other.position_source == Source.OKRUG_CENTRE
    assert other.geom.coords == staff_point.coords
    assert other.okrug_id == okrug.id
    with connection.cursor() as cursor:  # its precision: the new okrug polygon's radius
        cursor.execute("SELECT area_km2 FROM areas_adminarea WHERE id = %s", [okrug.id])
        assert other.position_precision_m == radius_m(cursor.fetchone()[0])


def test_distance():
    assert 110 < distance_km(70.0, 50.0, 70.0, 51.0) < 112


def test_api_shows_each_settlements_position_source_and_precision(reference_data, client):
    response = client.get("/api/layers/settlements/", {"area": "623800000", "limit": 50})
    assert response.status_code == 200
    features = response.json()["features"]
    assert features
    for feature in features:
        properties = feature["properties"]
        assert properties["position_source"] in {s.value for s in Source}
        assert properties["position_precision_m"] > 0
        assert feature["geometry"] is not None


def test_a_renamed_settlement_is_found_by_its_new_name_in_latin_letters():
    settlement = Settlement.objects.get(kato="750000000")
    assert "almaty" in settlement.name_search.split("|")
    settlement.name_kk, settlement.name_ru = "Алатау қ.", "г.Алатау"
    settlement.save(update_fields=["name_kk", "name_ru"])
    settlement.refresh_from_db()
    # The new name, and still the former names of its KATO code (Verny, Alma-Ata).
    renamed = set(settlement.name_search.split("|"))
    assert "alatau" in renamed and "almaty" not in renamed
    assert {"verny", "almaata"} <= renamed
    settlement.population = 1
    settlement.save(update_fields=["population"])  # a save that leaves the names alone
    settlement.refresh_from_db()
    assert set(settlement.name_search.split("|")) == renamed
