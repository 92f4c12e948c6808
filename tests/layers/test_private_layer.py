"""A private layer shows its public surface only, through every surface of the framework.

The stand-in layer (tests/standin) holds hidden names and amounts, an exact position and a
coarsened public one; unpublished rows are visible only to staff who may see personal data of
their area. Each test tries one way of getting at what is hidden.
"""

import base64
import csv
import io
import json
import math
import struct

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count

from gis_portal.accounts.models import StaffRole
from layers.areas.models import AdminArea
from layers.core.layer import Layer
from layers.core.registry import LayerRegistry, layer_registry
from tests.accounts.factories import StaffRoleFactory
from tests.standin.layers import StandInCaseFilterSet, StandInCaseLayer
from tests.standin.models import StandInCase

pytestmark = pytest.mark.django_db

SLUG = "standin-cases"
URL = f"/api/layers/{SLUG}/"
ALMATY = "750000000"
ALMATY_TILE = (10, 730, 375)
SOUTH_EAST_BBOX = "75.0,43.0,79.0,45.5"
MIN_GROUP = settings.TZ_PRIVACY_MIN_GROUP


# --- helpers --------------------------------------------------------------------------------

def rows():
    return list(StandInCase.objects.all())


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def assert_no_secrets(data: bytes):
    """No hidden name, hidden amount or exact coordinate (as text to 3 decimals, or as a
    binary double) of any stand-in row appears in these bytes."""
    for row in rows():
        assert row.hidden_name.encode() not in data, row.hidden_name
        assert str(row.hidden_amount).encode() not in data, row.hidden_amount
        for value in (row.geom.x, row.geom.y):
            text = f"{math.trunc(value * 1000) / 1000:.3f}".encode()
            assert text not in data, (row.pk, value)
            for order in "<>":
                assert struct.pack(f"{order}d", value) not in data, (row.pk, value)


def get(client, url=URL, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, body_of(response)[:500]
    return response


def get_json(client, url=URL, status=200, **params):
    response = get(client, url, status, **params)
    assert_no_secrets(response.content)
    return json.loads(response.content)


def far_moved_row(published=True) -> StandInCase:
    """A row in Almaty whose public point lies over 300 m from its exact one."""
    for row in StandInCase.objects.filter(published=published, oblast__kato=ALMATY):
        if _metres(row.geom, row.public_geom) > 300:
            return row
    raise AssertionError("no stand-in row moved far enough")


def _metres(a, b) -> float:
    return (StandInCase.objects.filter(pk__isnull=False)
            .annotate(d=Distance(Point(a.x, a.y, srid=4326), Point(b.x, b.y, srid=4326)))
            .values_list("d", flat=True)[:1][0].m)


@pytest.fixture
def almaty():
    return AdminArea.objects.get(generation__is_current=True, kato=ALMATY)


@pytest.fixture
def staff_client(client, almaty):
    role = StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[almaty])
    client.force_login(role.user)
    client.role = role
    return client


# --- registration ---------------------------------------------------------------------------

def _layer(**attributes):
    return type("ProbeLayer", (StandInCaseLayer,), {"slug": "probe", **attributes})


@pytest.mark.parametrize("attributes, field", [
    ({"ordering_fields": ("household_size", "hidden_amount")}, "hidden_amount"),
    ({"stat_sums": ("hidden_amount",)}, "hidden_amount"),
    ({"tile_fields": ("category", "hidden_name")}, "hidden_name"),
    ({"public_fields": ("category", "household_size", "hidden_name")}, "hidden_name"),
    ({"public_fields": ("category", "household_size", "geom")}, "geom"),
    ({"public_geometry_field": "geom"}, "geom"),
    ({"geometry_for_zoom": lambda self, zoom: "geom"}, "geom"),
])
def test_registration_refuses_a_hidden_field(attributes, field):
    with pytest.raises(ImproperlyConfigured) as refused:
        LayerRegistry().register(_layer(**attributes))
    assert "probe" in str(refused.value) and field in str(refused.value)


def test_registration_refuses_a_filter_on_a_hidden_field():
    import django_filters as df

    class Leaky(StandInCaseFilterSet):
        min_amount = df.NumberFilter(field_name="hidden_amount", lookup_expr="gte")

    class Searching(StandInCaseFilterSet):
        q = df.CharFilter(method="search")

    for filterset, field in ((Leaky, "hidden_amount"), (Searching, "filter_reads")):
        with pytest.raises(ImproperlyConfigured) as refused:
            LayerRegistry().register(_layer(filterset_class=filterset))
        assert "probe" in str(refused.value) and field in str(refused.value)
    with pytest.raises(ImproperlyConfigured, match="hidden_name"):
        LayerRegistry().register(_layer(filterset_class=Searching,
                                        filter_reads={"q": ("hidden_name",)}))


def test_every_registered_layer_passes_its_own_check():
    for layer in layer_registry.all():
        layer.check_public_surface()
    assert isinstance(layer_registry.get(SLUG), Layer)


# --- list, detail and visibility ------------------------------------------------------------

def test_anonymous_list_holds_published_rows_at_public_positions(client):
    response = get(client, limit=5000, area=ALMATY)
    assert response["Cache-Control"] == "private, no-store" and not response.has_header("ETag")
    collection = get_json(client, limit=5000, area=ALMATY)
    by_id = {r.pk: r for r in StandInCase.objects.filter(oblast__kato=ALMATY)}
    listed = {f["id"] for f in collection["features"]}
    assert listed == {pk for pk, r in by_id.items() if r.published}
    for feature in collection["features"]:
        assert set(feature["properties"]) == {"category", "household_size"}
        lon, lat = feature["geometry"]["coordinates"]
        public = by_id[feature["id"]].public_geom
        assert (round(lon, 6), round(lat, 6)) == (round(public.x, 6), round(public.y, 6))


def test_staff_see_unpublished_rows_of_their_area_only(staff_client):
    almaty_ids = {f["id"] for f in get_json(staff_client, limit=5000, area=ALMATY)["features"]}
    assert almaty_ids == set(StandInCase.objects.filter(oblast__kato=ALMATY)
                             .values_list("pk", flat=True))
    elsewhere = {f["id"] for f in get_json(staff_client, limit=5000,
                                            area="710000000")["features"]}
    assert elsewhere == set(StandInCase.objects.filter(oblast__kato="710000000", published=True)
                            .values_list("pk", flat=True))


def test_detail_shows_public_values_and_hides_unpublished_rows(client, staff_client):
    row = far_moved_row()
    detail = get_json(client, f"{URL}{row.pk}/")
    assert detail["geometry"]["coordinates"] == [round(row.public_geom.x, 6),
                                                 round(row.public_geom.y, 6)]
    assert get(client, f"{URL}{row.pk}/")["Cache-Control"] == "private, no-store"
    hidden = far_moved_row(published=False)
    from django.test import Client

    anonymous = Client()
    assert "no feature" in get_json(anonymous, f"{URL}{hidden.pk}/", 404)["error"]
    assert get_json(staff_client, f"{URL}{hidden.pk}/")["id"] == hidden.pk


# --- ordering, filters, cursors -------------------------------------------------------------

@pytest.mark.parametrize("ordering", ["hidden_amount", "-hidden_amount", "hidden_name", "geom",
                                      "published", "public_geom", "oblast", "id"])
def test_ordering_on_anything_but_public_properties_is_a_400(client, ordering):
    error = get_json(client, status=400, ordering=ordering)
    assert error["parameter"] == "ordering"
    assert "household_size, category" in error["error"]


@pytest.mark.parametrize("params", [
    {"hidden_amount": "7310007"}, {"hidden_amount__gt": "0"}, {"hidden_name": "Secretname0001"},
    {"published": "false"}, {"geom": "POINT(76.9 43.2)"}, {"category": "not-a-category"},
    {"min_household_size": "many"},
])
def test_filters_on_hidden_fields_or_bad_values_are_a_400(client, params):
    error = get_json(client, status=400, **params)
    assert error["error"]
    if "unknown parameter" in error["error"]:
        assert "category, min_household_size" in error["error"]


def test_cursors_are_signed_per_layer_and_ordering(client):
    first = get_json(client, limit=3, ordering="household_size", bbox=SOUTH_EAST_BBOX)
    next_url = first["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    from urllib.parse import unquote

    cursor = unquote(cursor)
    # The genuine cursor walks on.
    second = get_json(client, limit=3, ordering="household_size", bbox=SOUTH_EAST_BBOX,
                      cursor=cursor)
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}

    hand_made = [
        base64.urlsafe_b64encode(json.dumps([7310007, 1]).encode()).decode().rstrip("="),
        cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),  # tampered signature
        cursor.replace(cursor.split(":")[0], cursor.split(":")[0][::-1]),  # tampered value
        "%%%", "a:b:c", ":", "x" * 5000,
    ]
    for bad in hand_made:
        error = get_json(client, status=400, limit=3, ordering="household_size",
                         bbox=SOUTH_EAST_BBOX, cursor=bad)
        assert error["parameter"] == "cursor" and "cursor" in error["error"]
    # The same cursor under another ordering, without ordering, or on another layer.
    for params in ({"ordering": "category"}, {"ordering": "-household_size"}, {}):
        get_json(client, status=400, limit=3, bbox=SOUTH_EAST_BBOX, cursor=cursor, **params)
    get_json(client, "/api/layers/settlements/", status=400, limit=3, cursor=cursor,
             ordering="household_size")
    get_json(client, "/api/layers/settlements/", status=400, limit=3, cursor=cursor)


def test_paging_by_a_public_field_walks_everything_once(client):
    seen, url = [], f"{URL}?limit=40&ordering=-category&area={ALMATY}"
    while url:
        page = get_json(client, url)
        seen += [(f["properties"]["category"], f["id"]) for f in page["features"]]
        url = page.get("next")
    assert len(seen) == len(set(seen)) == StandInCase.objects.filter(
        oblast__kato=ALMATY, published=True).count()
    assert [c for c, _ in seen] == sorted((c for c, _ in seen), reverse=True)


# --- positions: near, bbox ------------------------------------------------------------------

def test_near_distances_are_rounded_distances_to_the_public_point(client):
    target = far_moved_row()
    step = settings.TZ_PRIVACY_DISTANCE_ROUND_M
    exact = target.geom
    # Three centres around the exact point: the answers must not depend on it.
    for dx, dy in ((0.02, 0), (-0.015, 0.012), (0.003, -0.018)):
        centre = Point(exact.x + dx, exact.y + dy, srid=4326)
        collection = get_json(client, limit=5000, near=f"{centre.x},{centre.y}", within=5)
        reported = {f["id"]: f["properties"]["distance_m"] for f in collection["features"]}
        expected = dict(
            StandInCase.objects.filter(pk__in=reported)
            .annotate(d=Distance("public_geom", centre)).values_list("pk", "d"))
        assert target.pk in reported
        for pk, distance in reported.items():
            assert distance % step == 0
            assert distance == max(step, round(expected[pk].m / step) * step)


def test_near_and_bbox_filter_on_the_public_point_only(client):
    target = far_moved_row()
    exact, public = target.geom, target.public_geom
    around_exact = get_json(client, limit=5000, near=f"{exact.x},{exact.y}", within=0.15)
    assert target.pk not in {f["id"] for f in around_exact["features"]}
    around_public = get_json(client, limit=5000, near=f"{public.x},{public.y}", within=0.05)
    assert target.pk in {f["id"] for f in around_public["features"]}

    def box(point, half=0.0008):
        return f"{point.x - half},{point.y - half},{point.x + half},{point.y + half}"

    assert target.pk not in {f["id"] for f in get_json(client, limit=5000,
                                                        bbox=box(exact))["features"]}
    assert target.pk in {f["id"] for f in get_json(client, limit=5000,
                                                    bbox=box(public))["features"]}


def test_distance_ordering_cursor_does_not_leak(client):
    first = get_json(client, limit=5, near="76.93,43.25", within=10)
    assert first["next"]
    assert_no_secrets(first["next"].encode())


# --- stats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"near": "76.93,43.25", "within": "0.2"}, {"bbox": "76.9,43.2,76.95,43.25"},
    {"category": "food"}, {"min_household_size": "5"}, {"within": "1"},
])
def test_stats_cannot_be_narrowed(client, params):
    error = get_json(client, f"{URL}stats", 400, level="okrug", **params)
    assert "personal data" in error["error"]


def _stats(client, level, **params):
    return get_json(client, f"{URL}stats", level=level, **params)["areas"]


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_no_stats_row_or_difference_describes_fewer_than_the_minimum(client, staff_client, who):
    from django.test import Client

    asker = Client() if who == "anonymous" else staff_client
    tables = {level: _stats(asker, level) for level in ("oblast", "district", "okrug")}
    for level, table in tables.items():
        for row in table:
            assert row["count"] is None or row["count"] >= MIN_GROUP, (level, row)
            if row["count"] is None:
                assert row["suppressed"] and row["household_size"] is None
    # Subtracting the shown children from a shown parent leaves nothing or a large group.
    parent_of = dict(AdminArea.objects.filter(generation__is_current=True)
                     .values_list("kato", "parent__kato"))
    for upper, lower in (("oblast", "district"), ("district", "okrug")):
        for parent in tables[upper]:
            if not parent["kato"]:
                continue
            children = [r for r in tables[lower]
                        if (r["kato"] and parent_of.get(r["kato"]) == parent["kato"])
                        or (not r["kato"] and r.get("parent") == parent["kato"]
                            and r["count"] is not None)]
            rest = parent["count"] - sum(c["count"] for c in children)
            assert rest == 0 or rest >= MIN_GROUP, (upper, parent["kato"], rest)
    # Totals agree across levels: suppression only merges.
    totals = {level: sum(r["count"] or 0 for r in table) for level, table in tables.items()}
    visible = StandInCase.objects.count() if who == "staff" else None
    assert totals["oblast"] <= (visible or totals["oblast"])


def test_stats_inside_an_area_are_the_rows_of_the_full_table(client, almaty):
    full = _stats(client, "district")
    inside = _stats(client, "district", area=ALMATY)
    district_katos = set(AdminArea.objects.filter(parent=almaty).values_list("kato", flat=True))
    assert inside == [r for r in full if r["kato"] in district_katos
                      or (not r["kato"] and r.get("parent") == ALMATY)]
    # An area below the level asked for would give one small group: refused.
    district = AdminArea.objects.filter(parent=almaty).first()
    get_json(client, f"{URL}stats", 400, level="oblast", area=district.kato)


def test_stats_sum_of_one_small_group_is_never_shown(client):
    """The okrugs holding one to four rows never appear by name."""
    small = set(
        StandInCase.objects.filter(published=True, okrug__isnull=False).values("okrug__kato")
        .annotate(n=Count("pk")).filter(n__lt=MIN_GROUP).values_list("okrug__kato", flat=True))
    assert small, "the stand-in data should have small okrugs"
    shown = {r["kato"] for r in _stats(client, "okrug")}
    assert not small & shown


def test_stats_of_private_layers_are_not_cached(client):
    response = get(client, f"{URL}stats", level="oblast")
    assert response["Cache-Control"] == "private, no-store"


# --- exports --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_exports_hold_no_hidden_value_and_no_exact_coordinate(client, staff_client, fmt, who,
                                                              tmp_path):
    from django.test import Client

    asker = Client() if who == "anonymous" else staff_client
    response = get(asker, f"{URL}export.{fmt}", area=ALMATY)
    assert response["Cache-Control"] == "private, no-store"
    data = body_of(response)
    assert_no_secrets(data)
    expected = StandInCase.objects.filter(oblast__kato=ALMATY)
    if who == "anonymous":
        expected = expected.filter(published=True)
    publics = {r.pk: (round(r.public_geom.x, 6), round(r.public_geom.y, 6)) for r in expected}
    if fmt == "csv":
        table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert set(table[0]) == {"id", "category", "household_size", "wkt"}
        for line in table:
            lon, lat = map(float, line["wkt"].removeprefix("POINT(").rstrip(")").split())
            assert (round(lon, 6), round(lat, 6)) == publics[int(line["id"])]
    elif fmt == "geojson":
        for feature in json.loads(data)["features"]:
            lon, lat = feature["geometry"]["coordinates"]
            assert (round(lon, 6), round(lat, 6)) == publics[feature["id"]]
    else:
        import pyogrio

        path = tmp_path / "export.gpkg"
        path.write_bytes(data)
        frame = pyogrio.read_dataframe(path)
        assert set(frame.columns) == {"id", "category", "household_size", "geometry"}
        for pk, geometry in zip(frame["id"], frame.geometry, strict=True):
            assert (round(geometry.x, 6), round(geometry.y, 6)) == publics[pk]


# --- tiles ----------------------------------------------------------------------------------

def _tile(client):
    z, x, y = ALMATY_TILE
    return client.get(f"/tiles/{SLUG}/{z}/{x}/{y}.mvt")


def _tile_units(point):
    """The point in tile coordinates of ALMATY_TILE (extent 4096, y up as decoded)."""
    z, x, y = ALMATY_TILE
    n = 2 ** z
    fx = (point.x + 180) / 360 * n
    lat = math.radians(point.y)
    fy = (1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n
    extent = settings.TILE_EXTENT
    return (fx - x) * extent, extent - (fy - y) * extent


def test_tiles_carry_public_properties_at_public_positions(client):
    response = _tile(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert_no_secrets(response.content)
    features = mapbox_vector_tile.decode(response.content)[SLUG]["features"]
    by_id = StandInCase.objects.in_bulk([f["id"] for f in features])
    assert features and all(by_id[f["id"]].published for f in features)
    for feature in features:
        assert set(feature["properties"]) <= {"category", "household_size"}
        tx, ty = feature["geometry"]["coordinates"]
        px, py = _tile_units(by_id[feature["id"]].public_geom)
        assert abs(tx - px) <= 1.5 and abs(ty - py) <= 1.5, feature["id"]


def test_tilejson_names_public_fields_only(client):
    tilejson = get_json(client, f"/tiles/{SLUG}.json")
    assert set(tilejson["vector_layers"][0]["fields"]) == {"id", "category", "household_size"}


def test_revoked_role_stops_tiles_and_geojson_at_once(staff_client):
    unpublished = set(StandInCase.objects.filter(oblast__kato=ALMATY, published=False)
                      .values_list("pk", flat=True))

    def tiled():
        response = _tile(staff_client)
        assert response["Cache-Control"] == "private, no-store"
        return {f["id"] for f in mapbox_vector_tile.decode(response.content)[SLUG]["features"]}

    def listed():
        return {f["id"] for f in get_json(staff_client, limit=5000, area=ALMATY)["features"]}

    assert tiled() & unpublished and listed() & unpublished
    staff_client.role.is_active = False
    staff_client.role.save()
    assert not tiled() & unpublished
    assert not listed() & unpublished


# --- catalogue, schema, errors --------------------------------------------------------------

def test_catalogue_and_schema_name_no_hidden_field(client):
    catalogue = get(client, "/api/layers/").content
    schema = get(client, "/api/schema/").content
    for data in (catalogue, schema):
        for hidden in (b"hidden_name", b"hidden_amount", b"Secretname"):
            assert hidden not in data
    entry = next(e for e in json.loads(catalogue)["layers"] if e["slug"] == SLUG)
    assert {f["name"] for f in entry["fields"]} == {"category", "household_size"}
    assert entry["ordering"] == ["household_size", "category"]
    assert entry["private"] is True and entry["position_precision_m"] == 800


# --- public layers keep their caches --------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/layers/settlements/?limit=5&area=750000000",
                                 "/api/layers/settlements/stats?level=oblast",
                                 "/tiles/settlements/10/730/375.mvt"])
def test_public_responses_have_an_etag_and_answer_304(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["ETag"]
    assert "no-store" not in response.get("Cache-Control", "")
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and not again.content
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def _points_in(area, count: int) -> list[Point]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_X(g), ST_Y(g) FROM (SELECT (ST_Dump(ST_GeneratePoints(geom, "
                       "%s, 3))).geom AS g FROM areas_adminarea WHERE id = %s) p",
                       [count, area.pk])
        return [Point(x, y, srid=4326) for x, y in cursor.fetchall()]


def _add_cases(area, count: int):
    for n, point in enumerate(_points_in(area, count)):
        StandInCase.objects.create(category="food", household_size=2, published=True,
                                   hidden_name=f"Secretname9{n:03d}", hidden_amount=7_390_000 + n,
                                   geom=point, public_geom=point)


def test_a_group_hidden_to_pad_another_stays_hidden_one_level_down(client):
    """District A (6) is hidden only to keep district B (3) from being derived. If A's okrug
    were then shown at okrug level, A's total and so B's would follow by subtraction."""
    oblast = AdminArea.objects.get(generation__is_current=True, kato="470000000")
    assert not StandInCase.objects.filter(oblast=oblast).exists()
    first, second = (AdminArea.objects.filter(parent=oblast, level="district")
                     .order_by("kato")[:2])
    okrug = AdminArea.objects.filter(parent=first, level="okrug").order_by("kato").first()
    _add_cases(okrug, 6)
    _add_cases(second, 3)
    assert _stats(client, "oblast", area="470000000")[0]["count"] == 9
    districts = _stats(client, "district", area="470000000")
    assert districts == [{**districts[0], "kato": None, "count": 9, "suppressed": True,
                          "parent": "470000000"}]
    okrugs = _stats(client, "okrug", area="470000000")
    assert all(row["kato"] is None and row["count"] is None for row in okrugs), okrugs


def test_suppress_small_groups_merges_pads_and_withholds():
    from gis_portal.privacy.suppression import suppress_small_groups

    def group(key, count):
        return {"key": key, "count": count, "amount": count * 10}

    assert suppress_small_groups([group("a", 5), group("b", 7)], ["amount"], 5) == [
        group("a", 5), group("b", 7)]
    # b alone would be derivable from a total: the smallest shown group joins it.
    assert suppress_small_groups([group("a", 9), group("b", 2), group("c", 6)], ["amount"],
                                 5) == [group("a", 9), {"suppressed": True, "count": 8,
                                                        "amount": 80}]
    # Two small groups together reach the threshold: shown merged, neither named.
    assert suppress_small_groups([group("a", 9), group("b", 2), group("c", 3)], ["amount"],
                                 5) == [group("a", 9), {"suppressed": True, "count": 5,
                                                        "amount": 50}]
    # Everything together below the threshold: nothing but a withheld row.
    assert suppress_small_groups([group("a", 1), group("b", 3)], ["amount"], 5) == [
        {"suppressed": True, "count": None, "amount": None}]
    assert suppress_small_groups([], ["amount"], 5) == []
