"""OGC API - Features over the layer registry, against the requirement classes of OGC 17-069r4
(Part 1: core, geojson, oas30), 18-058r1 (Part 2: crs) and the queryables of 19-079r2.

Every public layer is checked, whichever layers are registered; private ones must be absent."""

import json
import math
from datetime import date

import pytest
from django.contrib.gis.geos import GEOSGeometry, Polygon
from jsonschema import Draft202012Validator

from gis_portal.ogc.collections import is_public, temporal_property
from gis_portal.ogc.views import DEFAULT_LIMIT, MAX_LIMIT
from layers.areas.layers import AdminAreaLayer
from layers.areas.models import BoundaryGeneration, Settlement
from layers.core.describe import describe_filters
from layers.core.registry import layer_registry

pytestmark = pytest.mark.django_db

PUBLIC = [layer for layer in layer_registry.all() if is_public(layer)]
PUBLIC_PARAMS = [pytest.param(layer, id=layer.slug) for layer in PUBLIC]
PRIVATE_SLUGS = [layer.slug for layer in layer_registry.all() if not is_public(layer)]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
SOUTH_EAST_BBOX = "75.0,43.0,79.0,45.5"
ALMATY_KATO = "750000000"


def get(client, url, expect=200, **params):
    response = client.get(url, params)
    assert response.status_code == expect, (url, params, response.content[:500])
    return response


def get_json(client, url, expect=200, **params):
    return json.loads(get(client, url, expect, **params).content)


def links_of(body) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = {}
    for link in body["links"]:
        result.setdefault(link["rel"], []).append(link)
    return result


def path_of(href: str) -> str:
    """The path and query of an absolute link, for the test client."""
    return "/" + href.split("://", 1)[1].split("/", 1)[1]


# --- landing page, conformance, API definition (/req/core/root-*, /req/oas30/*) -------------

def test_landing_page_links_resolve(client):
    response = get(client, "/ogc/")
    assert response["Content-Type"] == "application/json"
    links = links_of(json.loads(response.content))
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(links)
    assert links["service-desc"][0]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    for rel in ("self", "service-desc", "service-doc", "conformance", "data"):
        assert client.get(path_of(links[rel][0]["href"])).status_code == 200, rel


def test_conformance_declares_the_classes_implemented(client):
    classes = set(get_json(client, "/ogc/conformance")["conformsTo"])
    assert classes == {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        *(f"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{name}" for name in
          ("core", "tileset", "tilesets-list", "geodata-tilesets", "mvt", "oas30")),
    }


def test_openapi_describes_every_public_collection_and_no_private_one(client):
    response = get(client, "/ogc/api")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.0.")
    assert document["servers"][0]["url"].endswith("/ogc")
    for layer in PUBLIC:
        items = document["paths"][f"/collections/{layer.slug}/items"]["get"]
        names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in items["parameters"]}
        assert {"bbox", "bbox-crs", "crs", "limit"} <= names
        assert set(filter_names(layer)) <= names
        assert ("datetime" in names) == (temporal_property(layer) is not None)
    for slug in PRIVATE_SLUGS:
        assert f"/collections/{slug}" not in json.dumps(document["paths"])
    # Every $ref points at a component that exists.
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/')[1:]}:
        node = document
        for key in ref.split("/"):
            node = node[key]
    assert b"hidden_name" not in response.content


def filter_names(layer) -> list[str]:
    return list(layer.filterset_class.base_filters) if layer.filterset_class else []


# --- collections (/req/core/fc-md-*, Part 2 /req/crs/fc-md-crs-list) -------------------------

def test_collections_list_every_public_layer_and_no_private_one(client):
    body = get_json(client, "/ogc/collections")
    ids = [c["id"] for c in body["collections"]]
    assert set(ids) == {layer.slug for layer in PUBLIC}
    assert "standin-cases" not in ids and "standin-cases" in PRIVATE_SLUGS
    assert not set(ids) & set(PRIVATE_SLUGS)
    assert "self" in links_of(body)


@pytest.mark.parametrize("layer", PUBLIC_PARAMS)
def test_collection_describes_extent_crs_and_links(client, layer):
    body = get_json(client, f"/ogc/collections/{layer.slug}")
    assert body["id"] == layer.slug and body["itemType"] == "feature" and body["title"]
    (west, south, east, north), = body["extent"]["spatial"]["bbox"]
    assert 40 <= west < east <= 90 and 35 <= south < north <= 56
    assert body["storageCrs"] == CRS84
    assert body["crs"][0] == CRS84 and {EPSG4326, EPSG3857} <= set(body["crs"])
    assert ("temporal" in body["extent"]) == (temporal_property(layer) is not None)
    links = links_of(body)
    assert {link["type"] for link in links["items"]} >= {"application/geo+json"}
    queryables = links["http://www.opengis.net/def/rel/ogc/1.0/queryables"][0]
    assert client.get(path_of(queryables["href"])).status_code == 200


@pytest.mark.parametrize("url", ["/ogc/collections/{slug}", "/ogc/collections/{slug}/items",
                                 "/ogc/collections/{slug}/items/1",
                                 "/ogc/collections/{slug}/queryables"])
@pytest.mark.parametrize("slug", ["standin-cases", "no-such-layer"])
def test_private_and_unknown_collections_are_404(client, url, slug):
    body = get_json(client, url.format(slug=slug), 404)
    assert body["code"] == "NotFound" and "no collection" in body["description"]


def test_private_layer_is_404_even_for_staff_who_may_see_it(client):
    from gis_portal.accounts.models import StaffRole
    from layers.areas.models import AdminArea
    from tests.accounts.factories import StaffRoleFactory

    almaty = AdminArea.objects.get(generation__is_current=True, kato=ALMATY_KATO)
    role = StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[almaty])
    client.force_login(role.user)
    assert get_json(client, "/api/layers/standin-cases/", limit=1)["features"]
    get(client, "/ogc/collections/standin-cases/items", 404)
    assert "standin-cases" not in {c["id"] for c in
                                   get_json(client, "/ogc/collections")["collections"]}


# --- items (/req/core/fc-*, /req/geojson/*) ---------------------------------------------------

@pytest.mark.parametrize("layer", PUBLIC_PARAMS)
def test_items_are_the_layer_api_features(client, layer):
    """The same public surface as /api/layers/<slug>/: same ids, properties and geometry."""
    response = get(client, f"/ogc/collections/{layer.slug}/items", limit=30,
                   bbox=SOUTH_EAST_BBOX)
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == f"<{CRS84}>"
    ogc = json.loads(response.content)
    api = get_json(client, f"/api/layers/{layer.slug}/", limit=30, bbox=SOUTH_EAST_BBOX)
    assert ogc["features"] == api["features"]
    assert ogc["numberReturned"] == len(ogc["features"])
    if layer.slug in ("areas", "settlements"):
        assert ogc["features"]
    assert ogc["numberMatched"] >= ogc["numberReturned"]
    assert ogc["timeStamp"].endswith("Z")


def test_items_links_limit_and_default(client):
    body = get_json(client, "/ogc/collections/settlements/items")
    assert body["numberReturned"] == DEFAULT_LIMIT
    visible = layer_registry.get("settlements").visible_queryset(None)
    assert body["numberMatched"] == visible.count() > 10_000
    links = links_of(body)
    assert {"self", "alternate", "next", "collection"} <= set(links)
    assert "prev" not in links
    assert links["self"][0]["type"] == "application/geo+json"
    assert links["alternate"][0]["type"] == "application/json"
    alternate = get(client, path_of(links["alternate"][0]["href"]))
    assert alternate["Content-Type"] == "application/json"
    assert json.loads(alternate.content)["features"] == body["features"]


def test_limit_above_the_maximum_is_capped_not_refused(client):
    body = get_json(client, "/ogc/collections/settlements/items", limit=MAX_LIMIT + 5000)
    assert body["numberReturned"] == MAX_LIMIT == len(body["features"])


@pytest.mark.parametrize("limit", ["0", "-3", "ten", "1.5"])
def test_bad_limit_is_400(client, limit):
    body = get_json(client, "/ogc/collections/settlements/items", 400, limit=limit)
    assert body["code"] == "InvalidParameterValue" and body["parameter"] == "limit"


def test_next_and_prev_links_walk_both_ways(client):
    url = "/ogc/collections/settlements/items?limit=7&bbox=" + SOUTH_EAST_BBOX
    first = get_json(client, url)
    second = get_json(client, path_of(links_of(first)["next"][0]["href"]))
    third = get_json(client, path_of(links_of(second)["next"][0]["href"]))
    ids = [f["id"] for page in (first, second, third) for f in page["features"]]
    assert len(ids) == len(set(ids)) == 21 and ids == sorted(ids)
    back = get_json(client, path_of(links_of(third)["prev"][0]["href"]))
    assert back["features"] == second["features"]
    assert "prev" in links_of(back)
    first_again = get_json(client, path_of(links_of(back)["prev"][0]["href"]))
    assert first_again["features"] == first["features"]
    assert "prev" not in links_of(first_again)
    assert first_again["numberMatched"] == first["numberMatched"]


# The response schemas of 17-069r4 (openapi/schemas/featureCollectionGeoJSON.yaml, link.yaml,
# numberMatched/numberReturned/timeStamp.yaml), as JSON Schema.
LINK = {"type": "object", "required": ["href", "rel"],
        "properties": {"href": {"type": "string"}, "rel": {"type": "string"},
                       "type": {"type": "string"}, "hreflang": {"type": "string"},
                       "title": {"type": "string"}, "length": {"type": "integer"}}}
FEATURE = {"type": "object", "required": ["type", "geometry", "properties"],
           "properties": {"type": {"enum": ["Feature"]},
                          "geometry": {"type": ["object", "null"]},
                          "properties": {"type": ["object", "null"]},
                          "id": {"type": ["string", "integer"]},
                          "links": {"type": "array", "items": LINK}}}
FEATURE_COLLECTION = {
    "type": "object", "required": ["type", "features"],
    "properties": {"type": {"enum": ["FeatureCollection"]},
                   "features": {"type": "array", "items": FEATURE},
                   "links": {"type": "array", "items": LINK},
                   "timeStamp": {"type": "string", "format": "date-time"},
                   "numberMatched": {"type": "integer", "minimum": 0},
                   "numberReturned": {"type": "integer", "minimum": 0}}}


def test_paging_as_in_the_standard_example(client):
    """17-069r4, 7.15.4-7.15.6: limit=2 gives two features, numberReturned 2, the number
    matched, a timeStamp, links self, alternate and next; the next page continues it."""
    response = get(client, "/ogc/collections/areas/items", limit=2)
    page = json.loads(response.content)
    Draft202012Validator(FEATURE_COLLECTION).validate(page)
    assert page["numberReturned"] == 2 == len(page["features"])
    assert page["numberMatched"] == layer_registry.get("areas").visible_queryset(None).count()
    links = links_of(page)
    assert links["self"][0]["type"] == "application/geo+json"
    assert links["next"][0]["type"] == "application/geo+json"
    assert "limit=2" in links["next"][0]["href"]
    following = get_json(client, path_of(links["next"][0]["href"]))
    Draft202012Validator(FEATURE_COLLECTION).validate(following)
    assert following["features"][0]["id"] > page["features"][-1]["id"]
    feature = get_json(client, f"/ogc/collections/areas/items/{page['features'][0]['id']}")
    Draft202012Validator(FEATURE).validate(feature)


def test_tampered_cursor_is_400(client):
    body = get_json(client, "/ogc/collections/settlements/items", 400, cursor="WzVd:abc:def")
    assert body["parameter"] == "cursor"


def test_unknown_parameter_is_400_and_names_the_accepted_ones(client):
    body = get_json(client, "/ogc/collections/settlements/items", 400, colour="red")
    assert body["parameter"] == "colour" and "min_population" in body["description"]
    # Another layer's filter is unknown here.
    get(client, "/ogc/collections/areas/items", 400, min_population="5")
    get(client, "/ogc/collections/settlements/items/1", 400, limit="5")
    get(client, "/ogc/collections", 400, bbox="1,2,3,4")


def test_single_item_and_its_links(client):
    almaty = Settlement.objects.get(kato=ALMATY_KATO)
    response = get(client, f"/ogc/collections/settlements/items/{almaty.pk}")
    assert response["Content-Type"] == "application/geo+json"
    feature = json.loads(response.content)
    assert feature["type"] == "Feature" and feature["id"] == almaty.pk
    assert feature["properties"]["kato"] == ALMATY_KATO
    assert {"self", "alternate", "collection"} <= set(links_of(feature))
    for bad in ("999999999", "abc", "1.5"):
        assert get_json(client, f"/ogc/collections/settlements/items/{bad}",
                        404)["code"] == "NotFound"


# --- bbox, bbox-crs and crs (Part 2) ----------------------------------------------------------

def almaty_in(client, crs=None):
    almaty = Settlement.objects.get(kato=ALMATY_KATO)
    params = {"crs": crs} if crs else {}
    response = get(client, f"/ogc/collections/settlements/items/{almaty.pk}", **params)
    return response, json.loads(response.content)["geometry"]["coordinates"], almaty.geom


def test_crs84_is_lon_lat(client):
    response, (x, y), point = almaty_in(client)
    assert response["Content-Crs"] == f"<{CRS84}>"
    assert (x, y) == pytest.approx((point.x, point.y), abs=1e-6)
    assert 76 < x < 78 and 43 < y < 44  # Almaty: longitude ≈ 76.9, latitude ≈ 43.2


@pytest.mark.parametrize("spelling", [EPSG4326, "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"])
def test_epsg_4326_swaps_to_lat_lon(client, spelling):
    response, (first, second), point = almaty_in(client, spelling)
    assert response["Content-Crs"] == f"<{EPSG4326}>"
    assert (first, second) == pytest.approx((point.y, point.x), abs=1e-6)
    assert 43 < first < 44 and 76 < second < 78


def test_epsg_3857_is_web_mercator_metres(client):
    response, (x, y), point = almaty_in(client, EPSG3857)
    assert response["Content-Crs"] == f"<{EPSG3857}>"
    radius = 6378137.0
    expected_x = math.radians(point.x) * radius
    expected_y = math.log(math.tan(math.pi / 4 + math.radians(point.y) / 2)) * radius
    assert (x, y) == pytest.approx((expected_x, expected_y), abs=0.01)


def test_items_in_other_crs_keep_the_same_features(client):
    url = "/ogc/collections/settlements/items"
    plain = get_json(client, url, limit=20, bbox=SOUTH_EAST_BBOX)
    swapped = get_json(client, url, limit=20, bbox=SOUTH_EAST_BBOX, crs=EPSG4326)
    assert [f["id"] for f in plain["features"]] == [f["id"] for f in swapped["features"]]
    for a, b in zip(plain["features"], swapped["features"], strict=True):
        assert b["geometry"]["coordinates"] == a["geometry"]["coordinates"][::-1]
    polygons = get_json(client, "/ogc/collections/areas/items", limit=3, crs=EPSG3857,
                        bbox=SOUTH_EAST_BBOX)
    for feature in polygons["features"]:
        x, y = GEOSGeometry(json.dumps(feature["geometry"])).centroid.coords
        assert 7e6 < x < 1e7 and 4e6 < y < 7e6  # metres, not degrees


def test_bbox_in_each_crs_selects_the_same_features(client):
    url = "/ogc/collections/settlements/items"
    lon_lat = (76.8, 43.1, 77.1, 43.4)
    west, south, east, north = lon_lat
    box = Polygon.from_bbox(lon_lat)
    box.srid = 4326
    mercator = box.transform(3857, clone=True).extent
    answers = [
        get_json(client, url, limit=1000, bbox="76.8,43.1,77.1,43.4"),
        get_json(client, url, limit=1000, bbox="76.8,43.1,77.1,43.4", **{"bbox-crs": CRS84}),
        get_json(client, url, limit=1000, bbox=f"{south},{west},{north},{east}",
                 **{"bbox-crs": EPSG4326}),
        get_json(client, url, limit=1000, bbox=",".join(map(str, mercator)),
                 **{"bbox-crs": EPSG3857}),
    ]
    ids = [sorted(f["id"] for f in answer["features"]) for answer in answers]
    assert ids[0] and all(i == ids[0] for i in ids)
    assert Settlement.objects.get(kato=ALMATY_KATO).pk in ids[0]
    expected = set(Settlement.objects.filter(geom__intersects=box).values_list("pk", flat=True))
    assert set(ids[0]) == expected


def test_bbox_outside_kazakhstan_is_empty_not_an_error(client):
    body = get_json(client, "/ogc/collections/settlements/items", bbox="2.2,48.8,2.5,48.9")
    assert body["numberReturned"] == body["numberMatched"] == 0 and body["features"] == []


@pytest.mark.parametrize("params", [
    {"bbox": "1,2,3"}, {"bbox": "77,44,76,43"}, {"bbox": "a,b,c,d"},
    # Degrees given in the order of CRS84 but labelled EPSG:4326: latitude 76..77 is fine,
    # longitude 43..44 too, so that is allowed; beyond ±90 latitude it is not.
    {"bbox": "100,43,120,44", "bbox-crs": EPSG4326},
    {"bbox-crs": "EPSG:32642", "bbox": "1,2,3,4"}, {"crs": "EPSG:32642"}, {"crs": "WGS84"},
])
def test_bad_bbox_and_crs_are_400(client, params):
    body = get_json(client, "/ogc/collections/settlements/items", 400, **params)
    assert body["code"] == "InvalidParameterValue" and body["description"]


# --- property filters and queryables (Part 3 JSON Schema) -------------------------------------

def test_property_filters_are_the_layer_filters(client):
    body = get_json(client, "/ogc/collections/settlements/items", limit=1000,
                    min_population="100000")
    populations = [f["properties"]["population"] for f in body["features"]]
    assert populations and all(p >= 100_000 for p in populations)
    expected = Settlement.objects.filter(population__gte=100_000).count()
    assert body["numberMatched"] == body["numberReturned"] == expected
    oblasts = get_json(client, "/ogc/collections/areas/items", limit=100, level="oblast")
    assert {f["properties"]["level"] for f in oblasts["features"]} == {"oblast"}
    assert 14 <= oblasts["numberMatched"] <= 20
    refused = get_json(client, "/ogc/collections/areas/items", 400, level="planet")
    assert refused["parameter"] == "level"


def test_filters_combine_with_bbox(client):
    body = get_json(client, "/ogc/collections/settlements/items", limit=1000,
                    bbox=SOUTH_EAST_BBOX, min_population="20000")
    box = Polygon.from_bbox(tuple(map(float, SOUTH_EAST_BBOX.split(","))))
    assert body["features"]
    for feature in body["features"]:
        assert feature["properties"]["population"] >= 20_000
        assert box.intersects(GEOSGeometry(json.dumps(feature["geometry"])))


def test_queryables_match_the_standard_example_shape(client):
    """As in 19-079r2's example: a JSON Schema object with $schema, $id, type, title and one
    property schema (title, type, enum where the values are fixed) per queryable."""
    response = get(client, "/ogc/collections/areas/queryables")
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    # A feature's properties are an instance of it, as far as the filters read them.
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"level": "oblast", "approximate": False})
    assert not validator.is_valid({"level": "planet"})
    assert not validator.is_valid({"colour": "red"})
    assert schema["$id"].endswith("/ogc/collections/areas/queryables")
    assert schema["type"] == "object" and schema["title"]
    assert schema["additionalProperties"] is False
    level = schema["properties"]["level"]
    assert level["type"] == "string" and set(level["enum"]) == {"oblast", "district", "okrug"}
    assert level["title"]
    assert schema["properties"]["approximate"]["type"] == "boolean"
    settlements = get_json(client, "/ogc/collections/settlements/queryables")
    assert settlements["properties"]["min_population"]["type"] == "integer"


@pytest.mark.parametrize("layer", PUBLIC_PARAMS)
def test_every_queryable_is_accepted_as_a_parameter(client, layer):
    schema = get_json(client, f"/ogc/collections/{layer.slug}/queryables")
    assert set(schema["properties"]) == set(filter_names(layer))
    samples = {"string": "a", "integer": "1", "number": "1", "boolean": "true"}
    for name, prop in schema["properties"].items():
        value = prop["enum"][0] if prop.get("enum") else samples[prop["type"]]
        if prop.get("format") == "date":
            value = "2024-01-01"
        response = client.get(f"/ogc/collections/{layer.slug}/items",
                              {"limit": 1, name: value})
        # Accepted; or refused by the filter itself for this sample value, never unknown.
        if response.status_code != 200:
            body = json.loads(response.content)
            assert response.status_code == 400 and body["parameter"] == name, body
            assert "unknown" not in body["description"]
    # A multiple-choice filter takes several values, repeated.
    for entry in describe_filters(layer):
        if entry.get("multiple") and len(entry["choices"]) > 1:
            values = [choice["value"] for choice in entry["choices"][:2]]
            both = get_json(client, f"/ogc/collections/{layer.slug}/items",
                            **{entry["name"]: values})["numberMatched"]
            each = [get_json(client, f"/ogc/collections/{layer.slug}/items",
                             **{entry["name"]: value})["numberMatched"] for value in values]
            assert both == sum(each), entry["name"]


# --- datetime -----------------------------------------------------------------------------------

class DatedAreas(AdminAreaLayer):
    """A test layer: areas with their boundary generation's date (a date through a
    relation)."""

    slug = "ogc-dated-areas"

    def properties(self):
        return {**super().properties(), "valid_from": "generation__valid_from"}


@pytest.fixture
def dated_areas():
    layer_registry.register(DatedAreas)
    BoundaryGeneration.objects.filter(is_current=True).update(valid_from=date(2022, 6, 8))
    yield layer_registry.get(DatedAreas.slug)
    layer_registry._layers.pop(DatedAreas.slug)


@pytest.mark.parametrize("value, matches", [
    ("2022-06-08", True), ("2022-06-09", False), ("2022-06-08T10:30:00Z", True),
    ("2022-01-01/2022-12-31", True), ("2023-01-01/2023-12-31", False),
    ("../2022-06-08", True), ("../2022-06-07", False), ("2022-06-08/..", True),
    ("2022-06-09/..", False), ("/2022-06-08", True), ("../..", True),
    ("2022-06-07T23:00:00Z/2022-06-08T01:00:00Z", True),
])
def test_datetime_on_a_date_property(client, dated_areas, value, matches):
    body = get_json(client, f"/ogc/collections/{dated_areas.slug}/items", limit=5,
                    datetime=value)
    assert (body["numberMatched"] > 0) == matches, body["numberMatched"]


def test_dated_layer_shows_its_temporal_extent(client, dated_areas):
    body = get_json(client, f"/ogc/collections/{dated_areas.slug}")
    assert body["extent"]["temporal"]["interval"] == [["2022-06-08T00:00:00Z",
                                                       "2022-06-08T00:00:00Z"]]
    assert body["datetimeProperty"] == "valid_from"


@pytest.mark.parametrize("value", ["yesterday", "2022-13-01", "2022-01-01/2021-01-01",
                                   "a/b/c", ".."])
def test_bad_datetime_is_400(client, dated_areas, value):
    body = get_json(client, f"/ogc/collections/{dated_areas.slug}/items", 400, datetime=value)
    assert body["parameter"] == "datetime"


@pytest.mark.parametrize("layer", PUBLIC_PARAMS)
def test_datetime_on_every_dated_layer(client, layer):
    url = f"/ogc/collections/{layer.slug}/items"
    if temporal_property(layer) is None:
        get(client, url, 400, datetime="2024-01-01")
        return
    total = get_json(client, url, limit=1)["numberMatched"]
    dated = get_json(client, url, limit=1, datetime="../..")["numberMatched"]
    assert dated <= total
    assert get_json(client, url, limit=1, datetime="1900-01-01/1900-12-31")["numberMatched"] == 0
    before = get_json(client, url, limit=1, datetime="../2024-06-30")["numberMatched"]
    after = get_json(client, url, limit=1, datetime="2024-07-01/..")["numberMatched"]
    assert before + after == dated


def test_datetime_on_a_layer_without_date_is_400(client):
    body = get_json(client, "/ogc/collections/settlements/items", 400, datetime="2024-01-01")
    assert "no date" in body["description"]


def test_datetime_on_an_instant_property():
    """Instants and whole days against a datetime column, on the condition itself."""
    from datetime import UTC, datetime

    from gis_portal.ogc.timefilter import datetime_condition

    day = datetime_condition("2024-05-01", "at", True)
    assert dict(day.children) == {"at__gte": datetime(2024, 5, 1, tzinfo=UTC),
                                  "at__lt": datetime(2024, 5, 2, tzinfo=UTC)}
    instant = datetime_condition("2024-05-01T10:00:00+05:00", "at", True)
    assert dict(instant.children) == {"at": datetime(2024, 5, 1, 5, tzinfo=UTC)}
    until = datetime_condition("../2024-05-01", "at", True)
    assert dict(until.children) == {"at__lt": datetime(2024, 5, 2, tzinfo=UTC)}


# --- tiles for GIS clients ----------------------------------------------------------------------

@pytest.mark.parametrize("layer", PUBLIC_PARAMS)
def test_tilejson_for_gis_clients(client, layer):
    tilejson = get_json(client, f"/tiles/{layer.slug}/tilejson.json")
    assert tilejson["tilejson"] == "3.0.0"
    (template,) = tilejson["tiles"]
    assert template.startswith("http://") and template.endswith(
        f"/tiles/{layer.slug}/{{z}}/{{x}}/{{y}}.mvt")
    assert tilejson["minzoom"] == layer.min_zoom and tilejson["maxzoom"] == layer.max_zoom
    west, south, east, north = tilejson["bounds"]
    assert west < east and south < north
    (vector_layer,) = tilejson["vector_layers"]
    assert vector_layer["id"] == layer.slug
    assert set(vector_layer["fields"]) == {"id", *layer.tile_fields}
    style = get_json(client, f"/tiles/{layer.slug}/style.json")
    assert style["version"] == 8
    assert style["sources"][layer.slug]["tiles"] == [template]
    assert {item["source-layer"] for item in style["layers"]} == {layer.slug}
    # Central Almaty at zoom 10: a tile the client can fetch from the template.
    tile = client.get(path_of(template.format(z=10, x=730, y=375)))
    assert tile.status_code in (200, 204)


@pytest.mark.parametrize("layer", PUBLIC_PARAMS)
def test_ogc_tiles_tileset_leads_to_the_same_tiles(client, layer):
    """OGC API - Tiles: collection → tilesets → tileset (WebMercatorQuad) → tile template,
    whose tile is byte for byte the /tiles/ one."""
    collection = get_json(client, f"/ogc/collections/{layer.slug}")
    (tilesets_link,) = links_of(collection)[
        "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"]
    tilesets = get_json(client, path_of(tilesets_link["href"]))
    (entry,) = tilesets["tilesets"]
    assert entry["dataType"] == "vector" and entry["crs"] == EPSG3857
    tileset = get_json(client, path_of(links_of(entry)["self"][0]["href"]))
    assert tileset["tileMatrixSetURI"] == \
        "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    limits = {int(limit["tileMatrix"]): limit for limit in tileset["tileMatrixSetLimits"]}
    assert min(limits) == layer.min_zoom and max(limits) == layer.max_zoom
    (vector_layer,) = tileset["layers"]
    assert vector_layer["id"] == layer.slug
    assert set(vector_layer["propertiesSchema"]["properties"]) == {"id", *layer.tile_fields}
    links = links_of(tileset)
    scheme = get_json(client, path_of(
        links["http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"][0]["href"]))
    assert scheme["id"] == "WebMercatorQuad" and scheme["tileMatrices"][10]["matrixWidth"] == 1024
    (item,) = links["item"]
    assert item["type"] == "application/vnd.mapbox-vector-tile" and item["templated"]
    if layer.min_zoom <= 10 <= layer.max_zoom:
        assert 730 in range(limits[10]["minTileCol"], limits[10]["maxTileCol"] + 1)
        assert 375 in range(limits[10]["minTileRow"], limits[10]["maxTileRow"] + 1)
    ogc_tile = client.get(path_of(item["href"].format(tileMatrix=10, tileRow=375, tileCol=730)))
    plain_tile = client.get(f"/tiles/{layer.slug}/10/730/375.mvt")
    assert ogc_tile.status_code == plain_tile.status_code in (200, 204)
    assert ogc_tile.content == plain_tile.content


def test_ogc_tiles_refuse_private_layers_and_bad_addresses(client):
    for url in ("/ogc/collections/standin-cases/tiles",
                "/ogc/collections/standin-cases/tiles/WebMercatorQuad",
                "/ogc/collections/standin-cases/tiles/WebMercatorQuad/10/375/730",
                "/ogc/collections/settlements/tiles/WorldCRS84Quad",
                "/ogc/collections/settlements/tiles/WebMercatorQuad/2/4/0",
                "/ogc/collections/settlements/tiles/WebMercatorQuad/x/1/1",
                "/ogc/tileMatrixSets/WorldCRS84Quad"):
        assert get_json(client, url, 404)["code"] == "NotFound", url
