"""OpenAPI of the road-trip planner and the eco-routes' sights. Their views are plain Django
views, so a drf-spectacular hook describes them: a trip between two towns (JSON with its
GeoJSON, or GPX and KML for navigators), the towns a trip may join, and the sights along a
published eco-route."""

from layers.areas.schema import ERROR, NUMBER, json_response, lang_parameter

from .planner import PRESETS
from .views import (
    GPX_TYPE,
    KEY_PATTERN,
    KML_TYPE,
    MAX_ROUTE_SIGHTS_BUFFER_KM,
    ROUTE_SIGHTS_BUFFER_KM,
)

TAG = "routes"
KEY = {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$", "example": "aktau"}
LANG_PARAMETER = lang_parameter("names and notes")
PLAN_PARAMETERS = [
    {"name": "preset", "in": "query", "schema": {"type": "string", "enum": list(PRESETS)},
     "description": "a ready trip across the country, instead of start and end"},
    {"name": "start", "in": "query", "schema": KEY,
     "description": "the start town's key (/api/routes/towns)"},
    {"name": "end", "in": "query", "schema": KEY, "description": "the end town's key"},
    {"name": "days", "in": "query", "schema": {"type": "integer", "minimum": 1},
     "description": "split the trip into this many days (or give km_per_day)"},
    {"name": "km_per_day", "in": "query", "schema": {**NUMBER, "exclusiveMinimum": True,
                                                     "minimum": 0},
     "description": "at most this many kilometres a day (or give days)"},
    {"name": "interest", "in": "query", "style": "form", "explode": True,
     "schema": {"type": "array", "items": KEY},
     "description": "kinds of sight to stop at, e.g. architecture (repeat for several)"},
    {"name": "unesco", "in": "query", "schema": {"type": "string", "enum": ["1", "true", "on"]},
     "description": "UNESCO sites only"},
    {"name": "nature", "in": "query", "schema": {"type": "string", "enum": ["1", "true", "on"]},
     "description": "nature sites only"},
    {"name": "corridor_km", "in": "query", "schema": {**NUMBER, "exclusiveMinimum": True,
                                                      "minimum": 0},
     "description": "how far off the road a sight may be"},
    LANG_PARAMETER,
]
NAMED = {"type": "object", "required": ["key", "name"],
         "properties": {"key": KEY, "name": {"type": "string"}}}
DAY_SIGHT = {"type": "object", "required": ["layer", "id", "name"], "properties": {
    "layer": {"type": "string"}, "id": {"type": "integer"}, "name": {"type": "string"}}}
SIGHT = {"type": "object", "required": [
    "layer", "id", "name", "category", "significance_rank", "unesco", "is_nature",
    "approximate", "lon", "lat"], "properties": {
    "layer": {"type": "string", "description": "the layer the sight is on"},
    "id": {"type": "integer"},
    "name": {"type": "string"},
    "category": {"type": "string", "nullable": True},
    "significance_rank": {"type": "integer"},
    "unesco": {"type": "boolean"},
    "is_nature": {"type": "boolean"},
    "approximate": {"type": "boolean", "description": "the position is approximate"},
    "lon": NUMBER, "lat": NUMBER}}
TRIP_SIGHT = {**SIGHT, "properties": {
    **SIGHT["properties"],
    "off_route_km": NUMBER, "detour_km": NUMBER, "km_along": NUMBER,
    "day": {"type": "integer", "description": "the day of the trip that passes it"}}}
TRIP = {"type": "object", "required": [
    "start", "end", "km", "km_per_day", "network", "stops", "days", "sights", "notes",
    "geojson", "links"], "properties": {
    "start": NAMED, "end": NAMED,
    "km": NUMBER, "km_per_day": NUMBER,
    "network": {"type": "object", "required": ["slug", "kind"], "properties": {
        "slug": {"type": "string"},
        "kind": {"type": "string", "description": "what the road graph is (e.g. schematic)"}}},
    "stops": {"type": "array", "items": {"type": "object", "required": [
        "key", "name", "km", "is_town", "lon", "lat"], "properties": {
        "key": KEY, "name": {"type": "string"}, "km": NUMBER, "is_town": {"type": "boolean"},
        "lon": NUMBER, "lat": NUMBER}}},
    "days": {"type": "array", "items": {"type": "object", "required": [
        "number", "from", "to", "from_key", "to_key", "km", "over_limit", "sights"],
        "properties": {
            "number": {"type": "integer"}, "from": {"type": "string"}, "to": {"type": "string"},
            "from_key": KEY, "to_key": KEY, "km": NUMBER,
            "over_limit": {"type": "boolean",
                           "description": "the day is longer than km_per_day (no town "
                                          "between)"},
            "sights": {"type": "array", "items": DAY_SIGHT}}}},
    "sights": {"type": "array", "items": TRIP_SIGHT},
    "notes": {"type": "array", "items": {"type": "string"},
              "description": "what the plan does not know"},
    "geojson": {"type": "object", "required": ["type", "features"], "description":
                "the route line, the overnight stops and the sights as a FeatureCollection",
                "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                               "features": {"type": "array", "items": {"type": "object"}}}},
    "links": {"type": "object", "required": ["page", "gpx", "kml"], "properties": {
        "page": {"type": "string"}, "gpx": {"type": "string"}, "kml": {"type": "string"}}}}}
TOWNS = {"type": "object", "required": ["network", "towns"], "properties": {
    "network": {"type": "string"},
    "towns": {"type": "array", "items": {"type": "object", "required": [
        "key", "name", "region", "lon", "lat"], "properties": {
        "key": KEY, "name": {"type": "string"}, "region": {"type": "string"},
        "lon": NUMBER, "lat": NUMBER}}}}}
ROUTE_SIGHT = {**SIGHT, "properties": {**SIGHT["properties"], "distance_km": NUMBER}}
ROUTE_ID = {"name": "pk", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
            "description": "the published eco-route's id"}


def _download(operation_id: str, summary: str, content_type: str) -> dict:
    bad = json_response("a parameter to fix (the message says which and how)", ERROR)
    return {"get": {
        "operationId": operation_id, "tags": [TAG], "summary": summary,
        "parameters": PLAN_PARAMETERS,
        "responses": {"200": {"description": "the trip as a file to download", "content": {
            content_type: {"schema": {"type": "string", "format": "binary"}}}},
            "400": bad,
            "409": json_response("no road of the graph joins the two towns", ERROR)}}}


def add_route_paths(result, generator, request, public):
    paths = result.setdefault("paths", {})
    bad = json_response("a parameter to fix (the message says which and how)", ERROR)
    paths["/api/routes/plan"] = {"get": {
        "operationId": "routes_plan", "tags": [TAG],
        "summary": "A road trip between two towns: the route, days ending in towns, and "
                   "the sights along it that match your interests",
        "parameters": PLAN_PARAMETERS,
        "responses": {"200": json_response("the trip", TRIP), "400": bad,
                      "409": json_response("no road of the graph joins the two towns",
                                           ERROR)}}}
    paths["/api/routes/plan.gpx"] = _download(
        "routes_plan_gpx", "The same trip as GPX (track, overnight stops, sights)",
        GPX_TYPE)
    paths["/api/routes/plan.kml"] = _download(
        "routes_plan_kml", "The same trip as KML", KML_TYPE)
    paths["/api/routes/towns"] = {"get": {
        "operationId": "routes_towns", "tags": [TAG],
        "summary": "The towns a trip may start or end in",
        "parameters": [LANG_PARAMETER],
        "responses": {"200": json_response("the towns of the road graph", TOWNS),
                      "400": json_response("no road graph is loaded", ERROR)}}}
    paths["/api/routes/{pk}/sights"] = {"get": {
        "operationId": "routes_sights", "tags": [TAG],
        "summary": "Sights within buffer_km of a published eco-route's track, most "
                   "significant first",
        "parameters": [
            ROUTE_ID,
            {"name": "buffer_km", "in": "query",
             "schema": {**NUMBER, "exclusiveMinimum": True, "minimum": 0,
                        "maximum": MAX_ROUTE_SIGHTS_BUFFER_KM,
                        "default": ROUTE_SIGHTS_BUFFER_KM}},
            LANG_PARAMETER],
        "responses": {
            "200": json_response("the sights", {
                "type": "object", "required": ["route", "buffer_km", "sights"],
                "properties": {"route": {"type": "integer"}, "buffer_km": NUMBER,
                               "sights": {"type": "array", "items": ROUTE_SIGHT}}}),
            "400": bad,
            "404": json_response("no published eco-route has this id", ERROR)}}}
    return result
