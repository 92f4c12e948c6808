"""The layer contract: every registered layer gets the same surface, checked here once.

Each test is parametrised over the registry, so a new layer inherits all of them.
"""

import csv
import io
import json

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.utils import translation

from layers.core.registry import layer_registry

pytestmark = pytest.mark.django_db

LAYERS = [pytest.param(layer, id=layer.slug) for layer in layer_registry.all()]
# Almaty oblast's neighbourhood: dense in settlements, districts and okrugs.
SOUTH_EAST_BBOX = "75.0,43.0,79.0,45.5"
ALMATY = (76.9286, 43.2567)


def get_json(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content[:500]
    return json.loads(response.content)


def some_feature(client, layer):
    collection = get_json(client, f"/api/layers/{layer.slug}/", limit=1, bbox=SOUTH_EAST_BBOX)
    assert collection["features"], f"{layer.slug} has no feature in {SOUTH_EAST_BBOX}"
    return collection["features"][0]


def test_registry_has_the_two_reference_layers():
    assert {"areas", "settlements"} <= set(layer_registry.slugs())


@pytest.mark.parametrize("layer", LAYERS)
def test_catalogue_describes_layer(client, layer):
    catalogue = get_json(client, "/api/layers/")
    entry = next(e for e in catalogue["layers"] if e["slug"] == layer.slug)
    assert entry["geometry"] in ("point", "line", "polygon")
    assert entry["title"] and entry["fields"]
    assert entry["urls"]["geojson"] == f"/api/layers/{layer.slug}/"
    assert entry["urls"]["tiles"] == f"/tiles/{layer.slug}/{{z}}/{{x}}/{{y}}.mvt"
    assert set(entry["urls"]["export"]) == set(layer.export_formats)
    for flt in entry["filters"]:
        assert flt["type"] in ("choice", "boolean", "number", "date", "text")


@pytest.mark.parametrize("layer", LAYERS)
def test_catalogue_is_translated(client, layer):
    titles = {}
    for language in ("kk", "ru", "en"):
        catalogue = get_json(client, "/api/layers/", lang=language)
        titles[language] = next(e["title"] for e in catalogue["layers"]
                                if e["slug"] == layer.slug)
    assert len(set(titles.values())) == 3, titles


@pytest.mark.parametrize("layer", LAYERS)
def test_geojson_list_shape(client, layer, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"/api/layers/{layer.slug}/", {"limit": 50,
                                                              "bbox": SOUTH_EAST_BBOX})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert 0 < collection["numberReturned"] == len(collection["features"]) <= 50
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["id"], int)
        assert set(feature["properties"]) == set(layer.properties())
        geometry = GEOSGeometry(json.dumps(feature["geometry"]))
        assert geometry.valid


@pytest.mark.parametrize("layer", LAYERS)
def test_keyset_paging_walks_without_overlap(client, layer):
    seen, url, pages = [], f"/api/layers/{layer.slug}/?limit=3&bbox={SOUTH_EAST_BBOX}", 0
    while url and pages < 4:
        collection = get_json(client, url)
        seen += [f["id"] for f in collection["features"]]
        url, pages = collection.get("next"), pages + 1
    assert pages == 4, "expected more than three pages of three features"
    assert len(seen) == len(set(seen)) == 12
    assert seen == sorted(seen)


@pytest.mark.parametrize("layer", LAYERS)
def test_ordering_and_bad_ordering(client, layer):
    for field in layer.ordering_fields[:1]:
        collection = get_json(client, f"/api/layers/{layer.slug}/", limit=5,
                              ordering=f"-{field}", bbox=SOUTH_EAST_BBOX)
        assert collection["features"]
    error = get_json(client, f"/api/layers/{layer.slug}/", 400, ordering="no_such_field")
    assert "ordering" in error["error"]


@pytest.mark.parametrize("layer", LAYERS)
def test_bbox_filter_keeps_only_overlapping_features(client, layer):
    bbox = (76.5, 43.0, 77.5, 43.6)
    box = Polygon.from_bbox(bbox)
    collection = get_json(client, f"/api/layers/{layer.slug}/", limit=200,
                          bbox=",".join(map(str, bbox)))
    assert collection["features"]
    for feature in collection["features"]:
        assert GEOSGeometry(json.dumps(feature["geometry"])).extent  # parses
        assert GEOSGeometry(json.dumps(feature["geometry"])).envelope.intersects(box)


@pytest.mark.parametrize("layer", LAYERS)
def test_area_filter_inside_and_outside(client, layer):
    # Almaty city (750000000) and a far-away oblast (Mangystau, 470000000).
    inside = get_json(client, f"/api/layers/{layer.slug}/", limit=500, area="750000000")
    assert inside["features"]
    almaty = GEOSGeometry(
        json.dumps(get_json(client, "/api/areas/750000000/", geometry="full")["geometry"]))
    for feature in inside["features"]:
        point = GEOSGeometry(json.dumps(feature["geometry"])).point_on_surface
        assert almaty.buffer(0.01).contains(point)
    mangystau = get_json(client, f"/api/layers/{layer.slug}/", limit=500, area="470000000")
    assert not {f["id"] for f in inside["features"]} & {f["id"] for f in mangystau["features"]}


@pytest.mark.parametrize("layer", LAYERS)
def test_area_filter_rejects_unknown_codes(client, layer):
    assert "KATO" in get_json(client, f"/api/layers/{layer.slug}/", 400, area="12")["error"]
    assert "no area" in get_json(client, f"/api/layers/{layer.slug}/", 400,
                                 area="999999999")["error"]


@pytest.mark.parametrize("layer", LAYERS)
def test_near_filter_orders_by_distance(client, layer):
    collection = get_json(client, f"/api/layers/{layer.slug}/", limit=20,
                          near=f"{ALMATY[0]},{ALMATY[1]}", within=15)
    distances = [f["properties"]["distance_m"] for f in collection["features"]]
    assert distances, "nothing within 15 km of central Almaty"
    assert distances == sorted(distances)
    assert all(d <= 15_000 for d in distances)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("params, message", [
    ({"bbox": "1,2,3"}, "four numbers"),
    ({"bbox": "80,50,70,40"}, "smaller"),
    ({"bbox": "0,0,10,10"}, "does not overlap Kazakhstan"),
    ({"near": "2.35,48.85"}, "outside Kazakhstan"),
    ({"near": "76.9,43.2", "within": "-1"}, "within"),
    ({"limit": "0"}, "limit"),
    ({"cursor": "%%%"}, "cursor"),
    ({"no_such_filter": "1"}, "unknown parameter"),
])
def test_bad_parameters_get_a_clear_400(client, layer, params, message):
    error = get_json(client, f"/api/layers/{layer.slug}/", 400, **params)
    assert message in error["error"]


@pytest.mark.parametrize("layer", LAYERS)
def test_detail_and_missing_feature(client, layer):
    feature = some_feature(client, layer)
    detail = get_json(client, f"/api/layers/{layer.slug}/{feature['id']}/")
    assert detail["id"] == feature["id"] and detail["properties"] == feature["properties"]
    assert "no feature" in get_json(client, f"/api/layers/{layer.slug}/999999999/", 404)["error"]


@pytest.mark.parametrize("layer", LAYERS)
def test_features_written_by_postgres_hold_the_layer_values(client, layer):
    """The list's features are written by PostgreSQL (FeatureText); their values are the
    layer's public values as Python reads them (feature_rows: CSV, GeoPackage): Decimals as
    exact text, times as ISO 8601 in UTC."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from layers.core.geojson import feature_rows

    collection = get_json(client, f"/api/layers/{layer.slug}/", limit=40,
                          bbox=SOUTH_EAST_BBOX, lang="en")
    listed = {f["id"]: f for f in collection["features"]}
    assert listed
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    queryset = layer.visible_queryset(request).filter(pk__in=listed)
    with translation.override("en"):
        rows = list(feature_rows(layer, queryset))
    assert len(rows) == len(listed)
    for pk, props, geometry, _ in rows:
        expected = json.loads(json.dumps(props, default=_json_text))
        assert listed[pk]["properties"] == expected, pk
        assert listed[pk]["geometry"] == (json.loads(geometry) if geometry else None)


def _json_text(value):
    return str(value)  # what dumps writes for a Decimal (times are text already)


@pytest.mark.parametrize("layer", LAYERS)
def test_near_distances_are_rounded_as_the_layer_says(client, layer):
    collection = get_json(client, f"/api/layers/{layer.slug}/", limit=20,
                          near=f"{ALMATY[0]},{ALMATY[1]}", within=15)
    distances = [f["properties"]["distance_m"] for f in collection["features"]]
    assert distances
    if layer.coarsened:
        step = settings.TZ_PRIVACY_DISTANCE_ROUND_M
        assert all(d % step == 0 and d >= step for d in distances), distances
    else:
        assert all(round(d, 1) == d for d in distances), distances


def test_feature_text_refuses_a_property_name_it_cannot_write_safely():
    from django.db.models import F, Value

    from layers.core.geojson import FeatureText

    for name in ("name'); DROP TABLE x; --", 'a"b', "Name", ""):
        with pytest.raises(ValueError, match="plain lower-case name"):
            FeatureText(F("pk"), Value(None), {name: Value(1)})


def test_methods_other_than_get_keep_their_answers(client):
    """GET is served from Django's request (PortalAPIView.dispatch); DRF still answers the
    other methods: OPTIONS describes the endpoint, a write is a JSON 405."""
    assert client.options("/api/layers/areas/").status_code == 200
    refused = client.post("/api/layers/areas/", {})
    assert refused.status_code == 405
    assert "POST" in json.loads(refused.content)["error"]
    assert client.head("/api/layers/areas/?limit=1").status_code == 200


def test_unknown_layer_is_404(client):
    assert "no layer" in get_json(client, "/api/layers/no-such-layer/", 404)["error"]


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("level", ["oblast", "district", "okrug"])
def test_stats_per_level(client, layer, level):
    stats = get_json(client, f"/api/layers/{layer.slug}/stats", level=level)
    assert stats["level"] == level and stats["areas"]
    for row in stats["areas"]:
        # A private layer's small groups share one suppressed row, its count withheld if small.
        assert row["count"] > 0 or (row.get("suppressed") and row["count"] is None)
        for measure in stats["measures"]:
            assert measure in row
    if level == "okrug":
        assert all(r["approximate"] for r in stats["areas"] if r["kato"])


@pytest.mark.parametrize("layer", [p for p in LAYERS if not p.values[0].private])
def test_stats_written_by_postgres_count_what_the_list_holds(client, layer):
    """Each area's entry (written as JSON by PostgreSQL) counts the features the list
    returns for that area, names the area in the three languages and orders by code."""
    from layers.areas.models import AdminArea

    stats = get_json(client, f"/api/layers/{layer.slug}/stats", level="oblast")
    codes = [row["kato"] for row in stats["areas"]]
    assert codes == sorted(codes) and codes
    for row in stats["areas"][:3]:
        listed = get_json(client, f"/api/layers/{layer.slug}/", limit=5000, area=row["kato"])
        assert row["count"] == listed["numberReturned"] > 0
        area = AdminArea.objects.get(kato=row["kato"], generation__is_current=True)
        assert row["name"] == {"kk": area.name_kk, "ru": area.name_ru, "en": area.name_en}
        assert row["approximate"] is area.approximate
        for measure in layer.stat_sums:
            assert measure in row


@pytest.mark.parametrize("layer", LAYERS)
def test_stats_respect_filters_and_reject_bad_level(client, layer):
    everything = get_json(client, f"/api/layers/{layer.slug}/stats", level="oblast")
    almaty_only = get_json(client, f"/api/layers/{layer.slug}/stats", level="oblast",
                           area="750000000")
    assert [r["kato"] for r in almaty_only["areas"]] == ["750000000"]
    total = sum(r["count"] or 0 for r in everything["areas"])
    assert almaty_only["areas"][0]["count"] < total
    assert "level" in get_json(client, f"/api/layers/{layer.slug}/stats", 400,
                               level="village")["error"]


def tile_features(response, slug):
    decoded = mapbox_vector_tile.decode(response.content)
    return decoded[slug]["features"] if slug in decoded else []


@pytest.mark.parametrize("layer", LAYERS)
def test_tile_inside_data_has_features_and_outside_is_empty(client, layer):
    # z10 tile over Almaty: x=730, y=375 (lon 76.64–76.99, lat 43.07–43.32).
    response = client.get(f"/tiles/{layer.slug}/10/730/375.mvt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    features = tile_features(response, layer.slug)
    assert features
    # A tile drops null properties: each feature carries some of the tile fields, together all.
    assert all(set(f["properties"]) <= set(layer.tile_fields) for f in features)
    assert set().union(*(f["properties"] for f in features)) == set(layer.tile_fields)
    # z10 tile in the Atlantic: nothing to draw.
    assert client.get(f"/tiles/{layer.slug}/10/426/422.mvt").status_code == 204


@pytest.mark.parametrize("layer", LAYERS)
def test_tiles_match_geojson_features(client, layer):
    """A tile holds exactly the features the GeoJSON API returns for the tile's box."""
    bbox = "76.640625,43.068888,76.992188,43.325178"  # z10 730/375
    listed = get_json(client, f"/api/layers/{layer.slug}/", limit=5000, bbox=bbox)
    tiled = tile_features(client.get(f"/tiles/{layer.slug}/10/730/375.mvt"), layer.slug)
    listed_ids = {f["id"] for f in listed["features"]}
    assert listed_ids
    # The tile also carries features of its 64-unit buffer, so it may hold a few more.
    assert listed_ids <= {f["id"] for f in tiled}


@pytest.mark.parametrize("layer", LAYERS)
def test_tile_filters_and_bad_addresses(client, layer):
    assert client.get(f"/tiles/{layer.slug}/3/9/0.mvt").status_code == 400
    assert client.get(f"/tiles/{layer.slug}/10/730/375.mvt",
                      {"no_such_filter": 1}).status_code == 400
    assert client.get("/tiles/no-such-layer/10/730/375.mvt").status_code == 404


@pytest.mark.parametrize("layer", LAYERS)
def test_tilejson(client, layer):
    tilejson = get_json(client, f"/tiles/{layer.slug}.json")
    assert tilejson["tilejson"] == "3.0.0"
    assert tilejson["tiles"][0].endswith(f"/tiles/{layer.slug}/{{z}}/{{x}}/{{y}}.mvt")
    assert tilejson["vector_layers"][0]["id"] == layer.slug
    assert tilejson["minzoom"] == layer.min_zoom and tilejson["maxzoom"] == layer.max_zoom


@pytest.mark.parametrize("layer", LAYERS)
def test_exports_hold_the_filtered_features(client, layer, tmp_path):
    import pyogrio

    params = {"area": "750000000"}
    listed = get_json(client, f"/api/layers/{layer.slug}/", limit=5000, **params)
    ids = sorted(f["id"] for f in listed["features"])

    response = client.get(f"/api/layers/{layer.slug}/export.csv", params)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(int(r["id"]) for r in rows) == ids
    assert all(r["wkt"] for r in rows)

    response = client.get(f"/api/layers/{layer.slug}/export.geojson", params)
    exported = json.loads(b"".join(response.streaming_content))
    assert sorted(f["id"] for f in exported["features"]) == ids

    response = client.get(f"/api/layers/{layer.slug}/export.gpkg", params)
    path = tmp_path / "export.gpkg"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    assert sorted(frame["id"].tolist()) == ids
    assert frame.crs.to_epsg() == 4326

    assert client.get(f"/api/layers/{layer.slug}/export.shp").status_code == 400


@pytest.mark.parametrize("layer", LAYERS)
def test_near_with_another_ordering_still_gives_distances(client, layer):
    field = layer.ordering_fields[0]
    collection = get_json(client, f"/api/layers/{layer.slug}/", limit=5, ordering=field,
                          near=f"{ALMATY[0]},{ALMATY[1]}", within=15)
    assert collection["features"]
    assert all(0 <= f["properties"]["distance_m"] <= 15_000 for f in collection["features"])


@pytest.mark.parametrize("layer", LAYERS)
def test_every_ordering_field_pages_in_order_both_ways(client, layer):
    """Each declared ordering walks pages by its signed cursor, in order, without overlap."""
    for field in layer.ordering_fields:
        for direction in ("", "-"):
            url = (f"/api/layers/{layer.slug}/?limit=4&ordering={direction}{field}"
                   f"&bbox={SOUTH_EAST_BBOX}")
            seen, values = [], []
            for _ in range(3):
                page = get_json(client, url)
                seen += [f["id"] for f in page["features"]]
                values += [f["properties"][field] for f in page["features"]]
                url = page.get("next")
                if not url:
                    break
            assert seen and len(seen) == len(set(seen)), (field, direction)
            known = [v for v in values if v not in (None, "")]
            assert known == sorted(known, reverse=direction == "-"), (field, direction)
