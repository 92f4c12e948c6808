"""The OpenAPI 3.0 definition of the OGC API, built from the registry on every request: each
public collection gets its own items path listing its own filters (GDAL reads them from here
to know which attribute filters the server applies)."""

from django.urls import reverse

from layers.core.describe import describe_filters

from . import collections as coll
from .crs import CRS84
from .views import DEFAULT_LIMIT, GEOJSON, JSON, MAX_LIMIT, OPENAPI, SCHEMA_JSON

MVT = "application/vnd.mapbox-vector-tile"


def _parameter(name, description, schema, style=None, explode=None, location="query",
               required=False) -> dict:
    parameter = {"name": name, "in": location, "required": required,
                 "description": description, "schema": schema}
    if style:
        parameter["style"] = style
    if explode is not None:
        parameter["explode"] = explode
    return parameter


CRS_URIS = coll.crs_list()

PARAMETERS = {
    "f": _parameter("f", "response format", {"type": "string", "enum": ["json"]}),
    "f-items": _parameter("f", "response format: geojson (application/geo+json, the default) "
                          "or json (application/json)",
                          {"type": "string", "enum": ["geojson", "json"],
                           "default": "geojson"}),
    "lang": _parameter("lang", "language of titles and names (kk is the default)",
                       {"type": "string", "enum": ["kk", "ru", "en"]}),
    "bbox": _parameter(
        "bbox", "features whose geometry intersects this box: lower left and upper right "
        "corner in bbox-crs (CRS84: min lon, min lat, max lon, max lat; EPSG:4326: min lat, "
        "min lon, max lat, max lon)",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        style="form", explode=False),
    "bbox-crs": _parameter("bbox-crs", "CRS of bbox (default CRS84)",
                           {"type": "string", "format": "uri", "enum": CRS_URIS,
                            "default": CRS84.uri}),
    "crs": _parameter("crs", "CRS of the geometries in the response (default CRS84)",
                      {"type": "string", "format": "uri", "enum": CRS_URIS,
                       "default": CRS84.uri}),
    "limit": _parameter("limit", f"features per page (default {DEFAULT_LIMIT}; larger values "
                        f"are answered with {MAX_LIMIT})",
                        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                         "default": DEFAULT_LIMIT}, style="form", explode=False),
    "cursor": _parameter("cursor", "position in the collection: from a next or prev link",
                         {"type": "string"}),
    "area": _parameter("area", "KATO code of an oblast, district or rural okrug: features "
                       "inside it", {"type": "string", "pattern": "^[0-9]{9}$"}),
    "datetime": _parameter(
        "datetime", "features whose date is this instant or inside this interval (RFC 3339, "
        "open ends as ..), e.g. 2024-05-01, 2024-01-01/2024-12-31, ../2024-12-31",
        {"type": "string"}, style="form", explode=False),
}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _get(operation_id: str, summary: str, parameters: list, content: dict, tags=("Capabilities",),
         not_found=False) -> dict:
    responses = {"200": {"description": summary, "content": content},
                 "400": _error("a parameter is invalid: the description says what to fix")}
    if not_found:
        responses["404"] = _error("no such collection or feature")
    return {"get": {"operationId": operation_id, "summary": summary, "tags": list(tags),
                    "parameters": parameters, "responses": responses}}


def _filter_parameter(layer, entry: dict) -> dict:
    schema = coll.queryables(layer, "")["properties"][entry["name"]]
    schema = {k: v for k, v in schema.items() if k in ("type", "enum", "format")}
    if entry.get("multiple"):
        # Several values as a repeated parameter: kind=a&kind=b.
        return _parameter(entry["name"], entry["label"], {"type": "array", "items": schema},
                          style="form", explode=True)
    return _parameter(entry["name"], entry["label"], schema, style="form", explode=False)


def _collection_paths(layer) -> dict:
    slug = layer.slug
    tag = [str(layer.title)]
    item_parameters = [_ref("f-items"), _ref("lang"), _ref("bbox"), _ref("bbox-crs"),
                       _ref("crs"), _ref("limit"), _ref("cursor"), _ref("area")]
    if coll.temporal_property(layer):
        item_parameters.append(_ref("datetime"))
    filters = [_filter_parameter(layer, entry) for entry in describe_filters(layer)]
    item_parameters += filters
    feature_id = _parameter("featureId", "feature id", {"type": "integer"}, location="path",
                            required=True)
    features = {GEOJSON: {"schema": {"$ref": "#/components/schemas/featureCollectionGeoJSON"}},
                JSON: {"schema": {"$ref": "#/components/schemas/featureCollectionGeoJSON"}}}
    feature = {GEOJSON: {"schema": {"$ref": "#/components/schemas/featureGeoJSON"}},
               JSON: {"schema": {"$ref": "#/components/schemas/featureGeoJSON"}}}
    tms = _parameter("tileMatrixSetId", "tile matrix set", {"type": "string",
                                                             "enum": ["WebMercatorQuad"]},
                     location="path", required=True)
    tile_address = [_parameter(name, description, {"type": "integer", "minimum": 0},
                               location="path", required=True)
                    for name, description in (("tileMatrix", "zoom level"),
                                              ("tileRow", "row, from the top"),
                                              ("tileCol", "column, from the left"))]
    tile = _get(f"getTile_{slug}", f"a Mapbox vector tile of {slug}",
                [tms, *tile_address, *filters],
                {MVT: {"schema": {"type": "string", "format": "binary"}}}, tag,
                not_found=True)
    tile["get"]["responses"]["204"] = {"description": "no feature in this tile"}
    return {
        f"/collections/{slug}/tiles": _get(
            f"getTileSetsList_{slug}", f"vector tilesets of {slug}", [_ref("f"), _ref("lang")],
            {JSON: {"schema": {"type": "object"}}}, tag, not_found=True),
        f"/collections/{slug}/tiles/{{tileMatrixSetId}}": _get(
            f"getTileSet_{slug}", f"the vector tileset of {slug}",
            [tms, _ref("f"), _ref("lang")], {JSON: {"schema": {"type": "object"}}}, tag,
            not_found=True),
        f"/collections/{slug}/tiles/{{tileMatrixSetId}}/{{tileMatrix}}/{{tileRow}}/"
        f"{{tileCol}}": tile,
        f"/collections/{slug}": _get(f"describeCollection_{slug}",
                                     f"the collection {slug}", [_ref("f"), _ref("lang")],
                                     {JSON: {"schema": {"type": "object"}}}, tag,
                                     not_found=True),
        f"/collections/{slug}/queryables": _get(
            f"getQueryables_{slug}", f"what {slug} can be filtered by (JSON Schema)",
            [_ref("f"), _ref("lang")], {SCHEMA_JSON: {"schema": {"type": "object"}}}, tag,
            not_found=True),
        f"/collections/{slug}/items": _get(
            f"getFeatures_{slug}", f"features of {slug}", item_parameters, features, tag,
            not_found=True),
        f"/collections/{slug}/items/{{featureId}}": _get(
            f"getFeature_{slug}", f"one feature of {slug}",
            [feature_id, _ref("f-items"), _ref("lang"), _ref("crs")], feature, tag,
            not_found=True),
    }


def openapi_document(request) -> dict:
    server = request.build_absolute_uri(reverse("ogc:landing")).rstrip("/")
    paths = {
        "/": _get("getLandingPage", "the landing page", [_ref("f"), _ref("lang")],
                  {JSON: {"schema": {"type": "object"}}}),
        "/conformance": _get("getConformanceDeclaration", "conformance classes", [_ref("f")],
                             {JSON: {"schema": {"type": "object"}}}),
        "/api": _get("getAPIDefinition", "this API definition", [_ref("f")],
                     {OPENAPI: {"schema": {"type": "object"}}}),
        "/tileMatrixSets": _get("getTileMatrixSetsList", "tile matrix sets of the tiles",
                                [_ref("f")], {JSON: {"schema": {"type": "object"}}}),
        "/tileMatrixSets/{tileMatrixSetId}": _get(
            "getTileMatrixSet", "a tile matrix set",
            [_parameter("tileMatrixSetId", "tile matrix set", {"type": "string"},
                        location="path", required=True), _ref("f")],
            {JSON: {"schema": {"type": "object"}}}, not_found=True),
        "/collections": _get("getCollections", "the collections", [_ref("f"), _ref("lang")],
                             {JSON: {"schema": {"type": "object"}}}),
    }
    for layer in coll.public_layers():
        paths.update(_collection_paths(layer))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Tugan Zher map portal: OGC API - Features",
            "version": "1.0.0",
            "description": "Every public layer of the portal as a collection (OGC API - "
                           "Features Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 CRS by "
                           "reference). Layers with personal data are not served here.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "parameters": PARAMETERS,
            "schemas": {
                "exception": {"type": "object", "required": ["code"],
                              "properties": {"code": {"type": "string"},
                                             "description": {"type": "string"},
                                             "parameter": {"type": "string"}}},
                "featureCollectionGeoJSON": {
                    "type": "object", "required": ["type", "features"],
                    "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "features": {"type": "array",
                                     "items": {"$ref": "#/components/schemas/featureGeoJSON"}},
                        "links": {"type": "array", "items": {"type": "object"}},
                        "timeStamp": {"type": "string", "format": "date-time"},
                        "numberMatched": {"type": "integer", "minimum": 0},
                        "numberReturned": {"type": "integer", "minimum": 0},
                    }},
                "featureGeoJSON": {
                    "type": "object", "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": "integer"},
                        "geometry": {"type": "object", "nullable": True},
                        "properties": {"type": "object", "nullable": True},
                        "links": {"type": "array", "items": {"type": "object"}},
                    }},
            },
        },
    }
