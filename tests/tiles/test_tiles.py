"""Vector tiles beyond the layer contract: index use, zoom-dependent geometry, language."""

import re

import mapbox_vector_tile
import pytest
from django.db import connection
from django.test import RequestFactory

from layers.core.registry import layer_registry
from tiles.sql import tile_statement

pytestmark = pytest.mark.django_db
ALMATY_Z10 = (10, 730, 375)


def names_in(response, slug):
    return {f["properties"]["kato"]: f["properties"]["name"]
            for f in mapbox_vector_tile.decode(response.content)[slug]["features"]}


def test_the_tile_query_uses_the_spatial_index():
    """The envelope is transformed, never the column, so the GiST index answers `&&`."""
    layer = layer_registry.get("settlements")
    statement, params = tile_statement(layer, RequestFactory().get("/"), 10)
    with connection.cursor() as cursor:
        # Small tables may be scanned whole; forbid that for this transaction only.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement, (layer.slug, *ALMATY_Z10, *params, *ALMATY_Z10))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # A plain or a bitmap index scan: either way the GiST index answers the box test.
    assert re.search(r"Index Scan (using|on) areas_settlement_geom", plan), plan
    assert "Index Cond: (geom &&" in plan, plan


def test_tile_names_follow_the_language(client):
    kazakh = names_in(client.get("/tiles/settlements/10/730/375.mvt", {"lang": "kk"}),
                      "settlements")
    russian = names_in(client.get("/tiles/settlements/10/730/375.mvt", {"lang": "ru"}),
                       "settlements")
    assert kazakh.keys() == russian.keys()
    assert any(kazakh[kato] != russian[kato] for kato in kazakh)



def test_a_cached_tile_never_reaches_a_visitor_of_another_language(client):
    """Public tiles are cacheable for five minutes and their names are in one language. With
    ?lang= the URL says which, so caches may share the tile by URL; without it the language
    cookie chose, and the answer says it varies with Cookie. Accept-Language is never read."""
    path = "/tiles/settlements/10/730/375.mvt"
    by_cookie = {}
    for language in ("kk", "ru"):
        client.cookies["django_language"] = language
        response = client.get(path)
        assert response["Cache-Control"] == "public, max-age=300"
        assert response["Content-Language"] == language
        assert "Cookie" in response["Vary"] and "Accept-Language" not in response["Vary"]
        by_cookie[language] = names_in(response, "settlements")
    assert by_cookie["kk"] != by_cookie["ru"]

    client.cookies["django_language"] = "en"  # ?lang= wins over the cookie
    named = client.get(path, {"lang": "ru"}, HTTP_ACCEPT_LANGUAGE="kk")
    assert named["Content-Language"] == "ru"
    assert named["Cache-Control"] == "public, max-age=300"
    assert not named.has_header("Vary")
    assert names_in(named, "settlements") == by_cookie["ru"]

def test_low_zoom_area_tiles_use_the_overview_geometry(client):
    overview = client.get("/tiles/areas/6/45/23.mvt", {"level": "district"})
    detailed = client.get("/tiles/areas/9/365/187.mvt", {"level": "district"})
    assert overview.status_code == detailed.status_code == 200
    layer = layer_registry.get("areas")
    assert layer.geometry_for_zoom(6) == "geom_simplified"
    assert layer.geometry_for_zoom(9) == "geom"


def test_outside_the_layer_zoom_range_is_empty(client):
    # Settlements start at z5: a z4 tile answers 204 without touching the database.
    assert client.get("/tiles/settlements/4/11/5.mvt").status_code == 204


def test_filters_narrow_the_tile(client):
    everything = names_in(client.get("/tiles/settlements/10/730/375.mvt"), "settlements")
    populous = names_in(client.get("/tiles/settlements/10/730/375.mvt",
                                   {"min_population": 100000}), "settlements")
    assert populous and set(populous) < set(everything)


@pytest.mark.parametrize("path, status", [
    ("/tiles/settlements/ten/730/375.mvt", 400),
    ("/tiles/settlements/10/-1/375.mvt", 400),
    ("/tiles/settlements/10/730/99999999999.mvt", 400),
    ("/tiles/no%20such/10/730/375.mvt", 404),
    ("/tiles/no%20such.json", 404),
    ("/api/layers/settlements/null/", 404),
    ("/api/layers/%C3%B9a/", 404),
])
def test_malformed_addresses_get_a_json_error(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json" and response.json()["error"]


def test_public_tile_statements_are_shared_and_per_user_ones_are_not():
    """One cached statement serves every caller of a public layer; a layer whose rows depend
    on the user is compiled for each tile."""
    from django.contrib.auth.models import AnonymousUser

    from tests.accounts.factories import UserFactory

    anonymous, signed_in = RequestFactory().get("/"), RequestFactory().get("/")
    anonymous.user, signed_in.user = AnonymousUser(), UserFactory()
    public = layer_registry.get("settlements")
    # The same compiled text object: one statement, parameters bound per tile.
    assert tile_statement(public, anonymous, 10)[0] is tile_statement(public, signed_in, 10)[0]
    private = layer_registry.get("standin-cases")
    assert (tile_statement(private, anonymous, 10)[0]
            is not tile_statement(private, anonymous, 10)[0])


def test_a_layer_may_draw_low_zooms_from_its_own_aggregate():
    """Layer.aggregate_tiles_max_zoom / aggregate_tile_query: at or below that zoom the tile
    holds the layer's aggregate features; above it, or when the layer answers None, its rows."""
    from tiles.sql import render_tile

    base = type(layer_registry.get("settlements"))

    class CountedSettlements(base):
        aggregate_tiles_max_zoom = 8

        def aggregate_tile_query(self, request, zoom):
            if request.GET.get("min_population"):
                return None
            return ("SELECT 7 AS id, ST_SetSRID(ST_MakePoint(76.93, 43.26), 4326) AS geom, "
                    "%s AS count FROM tile_bounds", (zoom * 10,), ("count",))

    layer = CountedSettlements()
    almaty_z8 = (8, 182, 93)
    decoded = mapbox_vector_tile.decode(render_tile(layer, RequestFactory().get("/"),
                                                    *almaty_z8))
    features = decoded[layer.slug]["features"]
    assert [(f["id"], f["properties"]) for f in features] == [(7, {"count": 80})]
    # Outside the tile the aggregate feature is not drawn.
    assert render_tile(layer, RequestFactory().get("/"), 8, 10, 10) == b""
    # Above the zoom, or when the layer declines, the rows are drawn as usual.
    for request, tile in ((RequestFactory().get("/"), ALMATY_Z10),
                          (RequestFactory().get("/", {"min_population": "1"}), almaty_z8)):
        features = mapbox_vector_tile.decode(render_tile(layer, request, *tile))[layer.slug][
            "features"]
        assert len(features) > 1 and "count" not in features[0]["properties"]
