"""Spatial questions on data built for them: within N km of a point or a shape, inside an area,
the gap map with its suppression, the investments gap, sights near a route; bad input, saved
permalinks re-run on today's data, CSV and GeoPackage read back, and a planted person who
never leaks into any answer, export or page."""

import csv
import io
import json
import math

import pyogrio
import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from gis_portal.questions.models import SavedQuestion
from layers.areas.models import AdminArea, Settlement
from layers.help.demo import create_synthetic
from layers.routes.models import EcoRoute
from tests.accounts.factories import StaffRoleFactory, UserFactory
from tests.investments.conftest import employment, north_of, project_input

pytestmark = pytest.mark.django_db

KOSTANAY = "390000000"  # no contract rows of the private layers live there
PLANTED_NAME = "Qyzgaldaq Plantedovna Zzyxova"
PLANTED_PHONE = "+77015550199"
PLANTED_ADDRESS = "Secret lane 77, flat 13"
PLANTED_LON, PLANTED_LAT = "63.987123", "52.654321"


def okrugs_with_settlements(count: int) -> list[tuple[AdminArea, list[Settlement]]]:
    """`count` okrugs of one Kostanay district, each with settlements that have a point."""
    districts = AdminArea.objects.filter(generation__is_current=True, level="district",
                                         kato__startswith=KOSTANAY[:2]).order_by("kato")
    for district in districts:
        found = []
        for okrug in AdminArea.objects.filter(parent=district, level="okrug").order_by("kato"):
            settlements = list(Settlement.objects.filter(okrug=okrug, geom__isnull=False)
                               .order_by("kato")[:3])
            if settlements:
                found.append((okrug, settlements))
            if len(found) == count:
                return found
    raise AssertionError("no Kostanay district with enough okrugs")


@pytest.fixture
def place():
    """A Kostanay settlement with a point, its okrug and district."""
    (okrug, settlements), = okrugs_with_settlements(1)
    return settlements[0]


@pytest.fixture
def planted(place):
    """A person who needs help, with distinctive personal data, at `place`."""
    request, _ = create_synthetic(90_001, place)
    request.full_name = PLANTED_NAME
    request.phone = PLANTED_PHONE
    request.address = PLANTED_ADDRESS
    request.exact_position = {"lon": float(PLANTED_LON), "lat": float(PLANTED_LAT)}
    request.save()
    return request


def ask(client, kind, **params):
    return client.get(f"/api/questions/{kind}/", params)


def names_in(body, group):
    return [f["properties"].get("kato") for f in body["features"] if f["properties"]["group"]
            == group]


def ids_in(body, group):
    return [f["id"] for f in body["features"] if f["properties"]["group"] == group]


# --- within N km -------------------------------------------------------------------------------

def test_within_km_of_a_point_in_and_out_of_the_radius(client, place):
    point = north_of(place.geom, 3.0)  # 3 km north of the settlement
    inside = ask(client, "within", lon=point.x, lat=point.y, km="4").json()
    assert place.pk in ids_in(inside, "settlements")
    mine = next(f for f in inside["features"] if f["properties"]["group"] == "settlements"
                and f["id"] == place.pk)
    assert 2900 < mine["properties"]["distance_m"] < 3100
    outside = ask(client, "within", lon=point.x, lat=point.y, km="2").json()
    assert place.pk not in ids_in(outside, "settlements")
    groups = {g["name"] for g in inside["groups"]}
    assert {"settlements", "projects", "investments", "monuments"} <= groups
    assert "help-requests" not in groups and "volunteers" not in groups
    assert any("help-requests" in note for note in inside["notes"])


def test_within_km_of_a_drawn_shape(client, place):
    x, y = place.geom.x, place.geom.y
    around = {"type": "Polygon", "coordinates": [[[x - 0.01, y - 0.01], [x + 0.01, y - 0.01],
                                                  [x + 0.01, y + 0.01], [x - 0.01, y + 0.01],
                                                  [x - 0.01, y - 0.01]]]}
    body = ask(client, "within", geometry=json.dumps(around), km="0.5").json()
    assert place.pk in ids_in(body, "settlements")
    hit = next(f for f in body["features"] if f["id"] == place.pk
               and f["properties"]["group"] == "settlements")
    assert hit["properties"]["distance_m"] == 0
    east = [[x + 0.3, y], [x + 0.4, y + 0.05]]  # a line about 20 km east
    far = ask(client, "within", geometry=json.dumps({"type": "LineString",
                                                     "coordinates": east}), km="5").json()
    assert place.pk not in ids_in(far, "settlements")
    assert far["shape"]["type"] == "LineString"


def test_a_long_shape_can_be_posted_as_json(client, place):
    x, y = place.geom.x, place.geom.y
    ring = [[x + 0.02 * math.cos(a / 400 * 2 * math.pi), y + 0.02 * math.sin(a / 400 * 2 * math.pi)]
            for a in range(400)]
    ring.append(ring[0])
    response = client.post("/api/questions/within/", {"geometry": {"type": "Polygon",
                                                                   "coordinates": [ring]},
                                                      "km": 1},
                           content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    assert place.pk in ids_in(response.json(), "settlements")
    bad = client.post("/api/questions/within/", "[1]", content_type="application/json")
    assert bad.status_code == 400 and "JSON object" in bad.json()["error"]


# --- inside an area ----------------------------------------------------------------------------

def test_everything_inside_an_area(client, place):
    okrug = AdminArea.objects.get(pk=place.okrug_id)
    body = ask(client, "area", area=okrug.kato).json()
    assert place.pk in ids_in(body, "settlements")
    assert body["area"]["kato"] == okrug.kato
    other = Settlement.objects.filter(geom__isnull=False).exclude(
        district_id=place.district_id).first()
    assert other.pk not in ids_in(body, "settlements")
    assert all(f["properties"]["group"] != "help-requests" for f in body["features"])


# --- the gap map -------------------------------------------------------------------------------

def test_gap_map_counts_open_help_per_okrug_with_small_groups_suppressed(client):
    (big, big_places), (small, small_places), (medium, medium_places) = \
        okrugs_with_settlements(3)
    n = 91_000
    for count, places in ((6, big_places), (2, small_places), (5, medium_places)):
        for i in range(count):
            create_synthetic(n, places[i % len(places)])
            n += 1
    district = AdminArea.objects.get(pk=big.parent_id)
    body = ask(client, "help-gaps", area=district.kato).json()
    rows = {f["properties"]["kato"]: f["properties"] for f in body["features"]}
    # 2 is below the threshold (5): it is hidden, and the smallest shown okrug (5) joins it so
    # the district total minus the shown okrug is never a small number.
    assert rows[big.kato]["help_open"] == 6
    assert small.kato not in rows or rows[small.kato]["help_open"] is None
    assert medium.kato not in rows or rows[medium.kato]["help_open"] is None
    assert body["suppressed"]["help_open"] == [{"district": district.kato, "count": 7}]
    assert body["min_group"] == 5
    if body["volunteers_available"]:
        assert rows[big.kato]["volunteers"] is None  # none listed there: absent looks small
        assert rows[big.kato]["gap"] == 6 - 4 and rows[big.kato]["gap_is_lower_bound"]
    else:
        assert any("volunteers" in note for note in body["notes"])
    # Only counts: no person's property is in the answer.
    assert set(rows[big.kato]) == {"group", "kato", "name", "approximate", "help_open",
                                   "volunteers", "volunteers_available", "gap",
                                   "gap_is_lower_bound"}


# --- investments gap ---------------------------------------------------------------------------

def test_low_employment_settlements_without_a_project_within_n_km(client):
    (okrug, settlements), = okrugs_with_settlements(1)
    target = settlements[0]
    employment(target, 33.0)
    district = AdminArea.objects.get(pk=target.district_id)
    params = {"within_km": "10", "min_rate": "30", "area": district.kato}
    before = ask(client, "investment-gaps", **params).json()
    assert names_in(before, "settlements") == [target.kato]
    assert before["features"][0]["properties"]["unemployment_rate"] == 33.0
    staff = StaffRoleFactory(areas=[district]).user
    from layers.investments.actions import create_project

    create_project(user=staff, data=project_input(target, point=north_of(target.geom, 8)))
    after = ask(client, "investment-gaps", **params).json()
    assert names_in(after, "settlements") == []
    wider = ask(client, "investment-gaps", **{**params, "within_km": "7"}).json()
    assert names_in(wider, "settlements") == [target.kato]


# --- sights near a route -----------------------------------------------------------------------

def a_sight():
    from layers.heritage.sights import SIGHTS_SQL

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT layer, id, ST_X(geom), ST_Y(geom) FROM ({SIGHTS_SQL}) s "
                       "WHERE ST_Y(geom) < 54 ORDER BY layer, id LIMIT 1")
        return cursor.fetchone()


def test_sights_within_n_km_of_a_drawn_line(client):
    layer, pk, x, y = a_sight()
    north = north_of(Point(x, y, srid=4326), 3.0)
    line = {"type": "LineString", "coordinates": [[north.x - 0.2, north.y],
                                                  [north.x + 0.2, north.y]]}
    near = ask(client, "sights-near-route", geometry=json.dumps(line), km="4").json()
    assert f"{layer}.{pk}" in ids_in(near, "sights")
    hit = next(f for f in near["features"] if f["id"] == f"{layer}.{pk}")
    assert 2900 < hit["properties"]["distance_m"] < 3100
    assert hit["properties"]["url"].endswith(f"/{pk}/")
    far = ask(client, "sights-near-route", geometry=json.dumps(line), km="2").json()
    assert f"{layer}.{pk}" not in ids_in(far, "sights")


def test_sights_near_an_eco_route_equal_those_near_its_drawn_line(client):
    route = EcoRoute.objects.filter(published=True).order_by("pk").first()
    by_id = ask(client, "sights-near-route", route=route.pk, km="30").json()
    by_line = ask(client, "sights-near-route", geometry=route.geom.geojson, km="30").json()
    assert ids_in(by_id, "sights") == ids_in(by_line, "sights")
    assert by_id["route_name"]["kk"] == route.name_kk
    distances = [f["properties"]["distance_m"] for f in by_id["features"]]
    assert distances == sorted(distances) and all(d <= 30_000 for d in distances)


# --- bad input ---------------------------------------------------------------------------------

SQUARE = [[70.0, 50.0], [70.1, 50.0], [70.1, 50.1], [70.0, 50.1], [70.0, 50.0]]


@pytest.mark.parametrize("kind, params, message", [
    ("within", {"geometry": "not json", "km": "5"}, "must be a GeoJSON geometry"),
    ("within", {"geometry": json.dumps({"type": "Polygon", "coordinates": [SQUARE], "crs": {
        "type": "name", "properties": {"name": "EPSG:3857"}}})}, "reproject it first"),
    ("within", {"geometry": json.dumps({"type": "Point", "coordinates": [8500000, 6500000]})},
     "not longitude/latitude"),
    ("within", {"geometry": json.dumps({"type": "Polygon", "coordinates": [[
        [70, 50], [71, 51], [71, 50], [70, 51], [70, 50]]]})}, "not a valid shape"),
    ("within", {"geometry": json.dumps({"type": "Point", "coordinates": [10.0, 50.0]})},
     "outside Kazakhstan"),
    ("within", {"lon": "10", "lat": "50"}, "outside Kazakhstan"),
    ("within", {"lon": "70", "lat": "50", "km": "0"}, "km must be a distance"),
    ("within", {"lon": "70", "lat": "50", "km": "900"}, "at most 200"),
    ("within", {"lon": "70"}, "give both lon and lat"),
    ("within", {"lon": "70", "lat": "50", "colour": "red"}, "unknown parameter(s) colour"),
    ("area", {}, "9-digit KATO"),
    ("area", {"area": "12345"}, "9-digit KATO"),
    ("help-gaps", {"area": "999999999"}, "no area with KATO code"),
    ("investment-gaps", {"within_km": "-1"}, "within_km must be above 0"),
    ("sights-near-route", {}, "give route"),
    ("sights-near-route", {"route": "999999999"}, "no published eco-route"),
    ("sights-near-route", {"geometry": json.dumps({"type": "Polygon",
                                                   "coordinates": [SQUARE]})},
     "LineString or MultiLineString"),
    ("nothing", {}, "no question 'nothing'"),
    ("within", {"lon": "70", "lat": "50", "format": "shp"}, "format must be one of"),
])
def test_bad_input_is_a_400_that_says_what_to_fix(client, kind, params, message):
    response = ask(client, kind, **params)
    assert response.status_code == 400, response.content[:300]
    assert message in response.json()["error"]


# --- saved questions ---------------------------------------------------------------------------

def test_a_saved_question_reruns_on_todays_data_and_shows_when_it_was_saved(client):
    (okrug, settlements), = okrugs_with_settlements(1)
    district = AdminArea.objects.get(pk=okrug.parent_id)
    params = {"within_km": "10", "min_rate": "30", "area": district.kato}
    response = client.post("/api/questions/saved/", {"kind": "investment-gaps",
                                                     "parameters": params},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    saved = response.json()
    assert saved["url"] == f"/questions/{saved['id']}/"
    assert SavedQuestion.objects.get(short_id=saved["id"]).saved_by is None
    before = client.get(saved["api"]).json()
    assert before["saved_at"] == saved["saved_at"]
    assert names_in(before["answer"], "settlements") == []
    employment(settlements[0], 40.0)  # today's data changes after the question was saved
    after = client.get(saved["api"]).json()
    assert names_in(after["answer"], "settlements") == [settlements[0].kato]
    page = client.get(saved["url"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'datetime="{saved["saved_at"]}"' in html
    assert "investment-gaps" in html
    export = client.get(saved["api"], {"format": "csv"})
    assert settlements[0].kato in export.content.decode("utf-8-sig")


def test_saving_refuses_a_question_that_cannot_run(client):
    before = SavedQuestion.objects.count()
    response = client.post("/api/questions/saved/", {"kind": "within", "parameters": {
        "lon": "10", "lat": "50"}}, content_type="application/json")
    assert response.status_code == 400 and "outside Kazakhstan" in response.json()["error"]
    response = client.post("/api/questions/saved/", "[]", content_type="application/json")
    assert response.status_code == 400
    assert client.get("/questions/zzzzzzzzzz/").status_code == 404
    assert SavedQuestion.objects.count() == before


def test_a_signed_in_user_is_kept_with_the_saved_question(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/api/questions/saved/", {"kind": "area", "parameters": {
        "area": "750000000"}}, content_type="application/json")
    assert response.status_code == 201
    assert SavedQuestion.objects.get(short_id=response.json()["id"]).saved_by == user


# --- exports -----------------------------------------------------------------------------------

def test_csv_and_geopackage_exports_read_back(client, place, tmp_path):
    point = north_of(place.geom, 1.0)
    params = {"lon": point.x, "lat": point.y, "km": "3"}
    response = ask(client, "within", **params, format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    mine = [r for r in rows if r["group"] == "settlements" and r["id"] == str(place.pk)]
    assert len(mine) == 1 and mine[0]["wkt"].startswith("POINT")
    response = ask(client, "within", **params, format="gpkg")
    assert response["Content-Type"] == "application/geopackage+sqlite3"
    path = tmp_path / "answer.gpkg"
    path.write_bytes(response.content)
    tables = [name for name, _ in pyogrio.list_layers(path)]
    assert "settlements" in tables
    frame = pyogrio.read_dataframe(path, layer="settlements")
    assert str(place.pk) in set(frame["fid_source"])
    assert frame.crs.to_epsg() == 4326
    gaps = ask(client, "help-gaps", area=KOSTANAY, format="gpkg")
    assert gaps.status_code == 200 and gaps.content[:16] == b"SQLite format 3\x00"


# --- private layers never leak -----------------------------------------------------------------

def test_a_planted_person_never_appears_in_any_answer_export_or_page(client, planted, place):
    okrug = AdminArea.objects.get(pk=place.okrug_id)
    point = Point(float(PLANTED_LON), float(PLANTED_LAT), srid=4326)
    near = north_of(place.geom, 0.5)
    requests = [
        ("within", {"lon": near.x, "lat": near.y, "km": "10"}),
        ("within", {"lon": point.x, "lat": point.y, "km": "5"}),
        ("area", {"area": okrug.kato}),
        ("help-gaps", {"area": okrug.kato}),
        ("help-gaps", {}),
    ]
    secrets = [PLANTED_NAME, PLANTED_PHONE, PLANTED_ADDRESS, PLANTED_LON, PLANTED_LAT,
               "Plantedovna", "5550199"]
    for kind, params in requests:
        # A question asked at the exact point echoes its own point back: that is not a leak.
        asked_there = params.get("lon") == point.x
        for fmt in ("geojson", "csv", "gpkg"):
            response = ask(client, kind, **params, format=fmt)
            assert response.status_code == 200, (kind, fmt, response.content[:200])
            content = response.content.decode("utf-8", "replace")
            for secret in secrets[:3] if asked_there else secrets:
                assert secret not in content, (kind, fmt, secret)
            if fmt == "geojson":
                body = json.loads(content)
                assert all(f["properties"]["group"] not in ("help-requests", "volunteers")
                           for f in body["features"])
    saved = client.post("/api/questions/saved/", {"kind": "within", "parameters": {
        "lon": str(near.x), "lat": str(near.y), "km": "10"}},
        content_type="application/json").json()
    for url in (saved["url"], saved["api"], "/questions/"):
        content = client.get(url).content.decode()
        for secret in secrets:
            assert secret not in content, (url, secret)


def test_the_gap_map_agrees_with_the_layers_own_suppressed_stats(client):
    """Volunteers per okrug are the volunteers layer's public okrug statistics, the same
    table /api/layers/volunteers/stats publishes (suppressed the same way)."""
    body = ask(client, "help-gaps").json()
    assert body["volunteers_available"] is True
    # The volunteers' contract rows fill at least one okrug above the threshold.
    assert any(f["properties"]["volunteers"] for f in body["features"])
    published = {row["kato"]: row["count"] for row in client.get(
        "/api/layers/volunteers/stats", {"level": "okrug"}).json()["areas"] if row["kato"]}
    for feature in body["features"]:
        props = feature["properties"]
        if props["volunteers"] is not None:
            assert published[props["kato"]] == props["volunteers"]
        else:
            assert props["kato"] not in published
    assert sum(1 for f in body["features"] if f["properties"]["volunteers"]) == sum(
        1 for kato in published if kato in {f["properties"]["kato"] for f in body["features"]})
