"""OpenAPI of the spatial questions. Their views are plain Django views (an answer may be
posted by anyone, and its format is its own `format` parameter, not content negotiation), so
a drf-spectacular hook describes them: the catalogue, one operation per question kind (GET
with its parameters in the query, POST with the same parameters as a JSON object), saving a
question and re-running a saved one.

The parameters of each kind come from the question itself (spatial.QUESTIONS, `parameters`),
so a question that takes a new parameter cannot be served undocumented:
PARAMETERS must describe it (tests/questions/test_schema.py checks both ways)."""

from layers.areas.schema import (
    CSRF_REFUSED,
    ERROR,
    GEOJSON_GEOMETRY,
    KATO,
    NUMBER,
    json_response,
    lang_parameter,
)
from layers.investments.gaps import MAX_WITHIN_KM

from .spatial import MAX_RADIUS_KM, MAX_ROUTE_KM, QUESTIONS

TAG = "questions"
GEOJSON = "application/geo+json"
CSV = "text/csv"
GEOPACKAGE = "application/geopackage+sqlite3"
FORMATS = ["geojson", "csv", "gpkg"]
TEXT_OR_NUMBER = {"oneOf": [NUMBER, {"type": "string"}]}
GEOMETRY_TEXT = {"type": "string", "description": "a GeoJSON geometry (or Feature) as text",
                 "example": '{"type": "Point", "coordinates": [76.93, 43.26]}'}

# Every parameter a question takes: (schema, description). The description of one kind
# overrides the general one where the kinds differ (km: radius of a point or of a route).
PARAMETERS = {
    "lon": (NUMBER, "longitude of the point, WGS 84 degrees (with lat; or give geometry)"),
    "lat": (NUMBER, "latitude of the point, WGS 84 degrees (with lon; or give geometry)"),
    "geometry": (GEOMETRY_TEXT, "a drawn shape: a GeoJSON geometry in WGS 84 longitude/"
                                "latitude (Point, LineString, Polygon, MultiPolygon or "
                                "MultiLineString), inside Kazakhstan; long shapes: POST"),
    "km": (NUMBER, f"radius in km, above 0 and at most {MAX_RADIUS_KM:g} (default 5)"),
    "area": (KATO, "9-digit KATO code of an oblast, district or rural okrug"),
    "within_km": (NUMBER, f"no investment project within this many km, above 0 and at most "
                          f"{MAX_WITHIN_KM:g} (default: the portal's setting, 25)"),
    "min_rate": (NUMBER, "unemployment rate at least this, %, 0 to 100 (default: the "
                         "portal's setting, 10)"),
    "route": ({"type": "string", "pattern": r"^[0-9]{1,18}$", "example": "12"},
              "id of a published eco-route (or give geometry, a drawn line)"),
}
KIND_PARAMETERS = {
    ("area", "area"): "9-digit KATO code of the oblast, district or rural okrug (required)",
    ("help-gaps", "area"): "only the rural okrugs of this oblast or district (KATO code); "
                           "default: the whole country",
    ("investment-gaps", "area"): "only the settlements of this oblast, district or okrug "
                                 "(KATO code); default: the whole country",
    ("sights-near-route", "km"): f"corridor half-width in km, above 0 and at most "
                                 f"{MAX_ROUTE_KM:g} (default 10)",
    ("sights-near-route", "geometry"): "a drawn route: a GeoJSON LineString or "
                                       "MultiLineString in WGS 84 longitude/latitude",
}
REQUIRED = {("area", "area")}
SUMMARIES = {
    "within": "Everything within N km of a point or a drawn shape, per layer, nearest first",
    "area": "Everything inside an oblast, district or rural okrug, per layer",
    "help-gaps": "Gap map: open help requests against volunteers per rural okrug (counts "
                 "below the privacy threshold suppressed)",
    "investment-gaps": "Low-employment settlements with no investment project within N km, "
                       "highest unemployment first",
    "sights-near-route": "Heritage sights within N km of an eco-route or a drawn line, "
                         "nearest first",
}

FORMAT_PARAMETER = {
    "name": "format", "in": "query", "schema": {"type": "string", "enum": FORMATS},
    "description": "geojson (default): one FeatureCollection; csv: one row per feature; "
                   "gpkg: a GeoPackage with one table per group"}
LANG_PARAMETER = lang_parameter("names and titles")

GROUP = {"type": "object", "required": ["name", "title", "count", "total", "truncated"],
         "properties": {
             "name": {"type": "string", "description": "a layer's slug, or the table's name"},
             "title": {"type": "string"},
             "count": {"type": "integer", "description": "features of the group in this answer"},
             "total": {"type": "integer", "description": "all that match"},
             "truncated": {"type": "boolean"}}}
FEATURE = {"type": "object", "required": ["type", "id", "geometry", "properties"],
           "properties": {
               "type": {"type": "string", "enum": ["Feature"]},
               "id": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
               "geometry": GEOJSON_GEOMETRY,
               "properties": {"type": "object", "required": ["group"], "properties": {
                   "group": {"type": "string", "description": "the group's name"}}}}}
ANSWER = {
    "type": "object",
    "required": ["type", "kind", "parameters", "generated_at", "groups", "notes", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "kind": {"type": "string", "enum": list(QUESTIONS)},
        "parameters": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "the question's parameters as validated (what a saved "
                                      "question keeps)"},
        "generated_at": {"type": "string", "format": "date-time"},
        "groups": {"type": "array", "items": GROUP},
        "notes": {"type": "array", "items": {"type": "string"}},
        "features": {"type": "array", "items": FEATURE},
        "shape": {**GEOJSON_GEOMETRY, "description": "the point, shape, route or area asked "
                                                     "about (within, area, sights-near-route)"},
        "km": {**NUMBER, "description": "the radius used (within, sights-near-route)"},
        "area": {"type": "object", "description": "the area asked about (area)"},
        "route_name": {"type": "object", "description": "the eco-route's names (kk, ru, en)"},
        "min_group": {"type": "integer",
                      "description": "privacy threshold: smaller counts are suppressed "
                                     "(help-gaps)"},
        "suppressed": {"type": "object", "description": "suppressed counts merged per "
                                                        "district (help-gaps)"},
        "volunteers_available": {"type": "boolean"},
    }}
CATALOGUE = {"type": "object", "required": ["questions", "saved"], "properties": {
    "questions": {"type": "array", "items": {
        "type": "object", "required": ["kind", "title", "parameters", "url"], "properties": {
            "kind": {"type": "string", "enum": list(QUESTIONS)},
            "title": {"type": "string"},
            "parameters": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string"}}}},
    "saved": {"type": "string", "description": "where to POST a question to save it"}}}
SAVED = {"type": "object", "required": ["id", "kind", "parameters", "saved_at", "url", "api"],
         "properties": {
             "id": {"type": "string", "description": "the short id of the permalink"},
             "kind": {"type": "string", "enum": list(QUESTIONS)},
             "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
             "saved_at": {"type": "string", "format": "date-time"},
             "url": {"type": "string", "description": "the permalink's page"},
             "api": {"type": "string", "description": "the saved question in this API"}}}
SAVED_ANSWER = {"type": "object", "required": [*SAVED["required"], "answer"],
                "properties": {**SAVED["properties"],
                               "answer": {**ANSWER, "description": "re-run on today's data"}}}
SAVE_REQUEST = {"type": "object", "required": ["kind", "parameters"], "properties": {
    "kind": {"type": "string", "enum": list(QUESTIONS)},
    "parameters": {"type": "object", "additionalProperties": TEXT_OR_NUMBER,
                   "description": "the question's parameters, as in its GET query"}}}


def _binary(content_type: str) -> dict:
    return {content_type: {"schema": {"type": "string", "format": "binary"}}}


def answer_content(json_type: str, json_schema: dict) -> dict:
    """The 200 answer in each format: JSON, CSV or GeoPackage."""
    return {"description": "the answer (format=csv and format=gpkg are attachments)",
            "content": {json_type: {"schema": json_schema},
                        **_binary(CSV), **_binary(GEOPACKAGE)}}


def question_parameters(kind: str) -> list[dict]:
    """The query parameters of one kind of question, as OpenAPI parameter objects."""
    parameters = []
    for name in QUESTIONS[kind].parameters:
        schema, description = PARAMETERS[name]
        parameters.append({"name": name, "in": "query", "required": (kind, name) in REQUIRED,
                           "schema": schema,
                           "description": KIND_PARAMETERS.get((kind, name), description)})
    return parameters


def _post_body(kind: str) -> dict:
    properties = {}
    for parameter in question_parameters(kind):
        name = parameter["name"]
        schema = parameter["schema"]
        if name == "geometry":
            schema = {"oneOf": [{"type": "object", "description": "a GeoJSON geometry"},
                                GEOMETRY_TEXT]}
        elif schema is NUMBER:
            schema = TEXT_OR_NUMBER
        properties[name] = {**schema, "description": parameter["description"]}
    properties["format"] = FORMAT_PARAMETER["schema"]
    properties["lang"] = LANG_PARAMETER["schema"]
    body = {"type": "object", "properties": properties}
    required = [p["name"] for p in question_parameters(kind) if p["required"]]
    if required:
        body["required"] = required
    return {"required": True, "content": {"application/json": {"schema": body}}}


def _answer_operations(kind: str) -> dict:
    summary = SUMMARIES.get(kind) or str(QUESTIONS[kind].title)
    responses = {"200": answer_content(GEOJSON, ANSWER),
                 "400": json_response("a parameter to fix (the message says which and how)",
                                      ERROR)}
    operation_id = "questions_" + kind.replace("-", "_")
    return {
        "get": {"operationId": operation_id, "tags": [TAG], "summary": summary,
                "parameters": [*question_parameters(kind), FORMAT_PARAMETER, LANG_PARAMETER],
                "responses": responses},
        "post": {"operationId": operation_id + "_post", "tags": [TAG],
                 "summary": summary + " (parameters as a JSON object, for long shapes)",
                 "requestBody": _post_body(kind), "responses": responses},
    }


def add_question_paths(result, generator, request, public):
    paths = result.setdefault("paths", {})
    paths["/api/questions/"] = {"get": {
        "operationId": "questions_catalogue", "tags": [TAG],
        "summary": "The spatial questions: kinds, their parameters and where to ask them",
        "responses": {"200": json_response("the catalogue", CATALOGUE)}}}
    for kind in QUESTIONS:
        paths[f"/api/questions/{kind}/"] = _answer_operations(kind)
    paths["/api/questions/saved/"] = {"post": {
        "operationId": "questions_save", "tags": [TAG],
        "summary": "Save a question (never its answer) under a short permalink",
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": SAVE_REQUEST}}},
        "responses": {
            "201": json_response("saved: the permalink", SAVED),
            "400": json_response("the question cannot run: what to fix", ERROR),
            "403": CSRF_REFUSED}}}
    paths["/api/questions/saved/{short_id}/"] = {"get": {
        "operationId": "questions_saved", "tags": [TAG],
        "summary": "A saved question re-run on today's data, with when it was saved",
        "parameters": [
            {"name": "short_id", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": r"^[-a-zA-Z0-9_]{1,16}$"},
             "description": "the permalink's short id"},
            FORMAT_PARAMETER, LANG_PARAMETER],
        "responses": {
            "200": answer_content("application/json", SAVED_ANSWER),
            "400": json_response("format to fix, or the saved question no longer runs",
                                 ERROR),
            "404": json_response("no saved question with this id", ERROR)}}}
    return result
