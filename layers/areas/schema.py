"""OpenAPI of the areas API: the parameter formats the views enforce (layers.areas.api checks
every parameter against these before any query runs), the response bodies, and the point
lookup, which is a plain Django view (kept thin for speed) described by a hook."""

# A KATO code: nine ASCII digits (e.g. 750000000, the city of Almaty).
KATO_PATTERN = r"^[0-9]{9}$"
# A boundary generation code (e.g. 2024): letters, digits, "_" or "-", at most 16.
GENERATION_PATTERN = r"^[0-9A-Za-z_-]{1,16}$"
LEVELS = ["oblast", "district", "okrug"]
GEOMETRY_MODES = ["none", "simplified", "full"]

KATO = {"type": "string", "pattern": KATO_PATTERN, "example": "750000000"}
GENERATION = {"type": "string", "pattern": GENERATION_PATTERN, "example": "2024"}
NAMES = {"type": "object", "required": ["kk", "ru", "en"],
         "properties": {language: {"type": "string"} for language in ("kk", "ru", "en")}}
NUMBER = {"type": "number", "format": "double"}

ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string", "description": "what is wrong and how to fix it"},
    "parameter": {"type": "string", "description": "the parameter at fault"}}}

# An area as the lists, the details and the lookup name it.
AREA_REF = {"type": "object", "required": ["level", "kato", "name", "approximate"], "properties": {
    "level": {"type": "string", "enum": LEVELS}, "kato": KATO, "name": NAMES,
    "approximate": {"type": "boolean",
                    "description": "derived from the area's settlements, not official"}}}
GEOJSON_GEOMETRY = {"type": "object", "nullable": True, "required": ["type", "coordinates"],
                    "properties": {"type": {"type": "string"},
                                   "coordinates": {"type": "array"}},
                    "description": "GeoJSON geometry in WGS 84 (absent with geometry=none)"}
AREA = {"type": "object",
        "required": [*AREA_REF["required"], "kind", "parent", "has_geometry", "geometry_note",
                     "area_km2"],
        "properties": {
            **AREA_REF["properties"],
            "kind": {"type": "string", "description": "the KATO classifier's unit type"},
            "parent": {**KATO, "nullable": True},
            "has_geometry": {"type": "boolean"},
            "geometry_note": {"type": "string"},
            "area_km2": {**NUMBER, "nullable": True},
            "geometry": GEOJSON_GEOMETRY}}
AREA_LIST = {"type": "object", "required": ["generation", "count", "areas"], "properties": {
    "generation": GENERATION, "count": {"type": "integer"},
    "areas": {"type": "array", "items": AREA}}}
AREA_DETAIL = {"type": "object",
               "required": [*AREA["required"], "generation", "ancestors", "children"],
               "properties": {
                   **AREA["properties"], "generation": GENERATION,
                   "ancestors": {"type": "array", "items": AREA_REF,
                                 "description": "from the oblast down"},
                   "children": {"type": "array", "items": {
                       **AREA_REF, "required": [*AREA_REF["required"], "has_geometry"],
                       "properties": {**AREA_REF["properties"],
                                      "has_geometry": {"type": "boolean"}}}}}}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


SETTLEMENT_NEAR = {"type": "object", "required": ["kato", "name", "distance_km"], "properties": {
    "kato": KATO, "name": NAMES, "distance_km": NUMBER}}
LOOKUP = {"type": "object",
          "required": ["lon", "lat", "generation", "oblast", "district", "okrug", "settlement"],
          "properties": {"lon": NUMBER, "lat": NUMBER, "generation": GENERATION,
                         "oblast": AREA_REF, "district": _nullable(AREA_REF),
                         "okrug": _nullable(AREA_REF), "settlement": _nullable(SETTLEMENT_NEAR)}}


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def lang_parameter(description: str) -> dict:
    """The `lang` query parameter (kk, ru, en), saying what it translates in this answer."""
    return {"name": "lang", "in": "query",
            "schema": {"type": "string", "enum": ["kk", "ru", "en"]},
            "description": f"language of {description} (default Kazakh)"}


# A write of the JSON API without the session's CSRF token: Django's own page.
CSRF_REFUSED = {"description": "no valid CSRF token: send the csrftoken cookie and the "
                               "X-CSRFToken header, as the portal's pages do",
                "content": {"text/html": {"schema": {"type": "string"}}}}


def add_lookup_path(result, generator, request, public):
    result.setdefault("paths", {})["/api/areas/lookup"] = {"get": {
        "operationId": "areas_lookup", "tags": ["areas"],
        "summary": "Which oblast, district and rural okrug a point is in, and the nearest "
                   "settlement",
        "parameters": [
            {"name": "lon", "in": "query", "required": True, "schema": NUMBER,
             "description": "longitude, WGS 84 degrees"},
            {"name": "lat", "in": "query", "required": True, "schema": NUMBER,
             "description": "latitude, WGS 84 degrees"},
            {"name": "generation", "in": "query", "schema": GENERATION,
             "description": "boundary generation, e.g. 2018 (default: the current one)"},
        ],
        "responses": {
            "200": json_response("the areas containing the point", LOOKUP),
            "400": json_response("lon/lat missing or malformed, or unknown generation", ERROR),
            "404": json_response("the point is outside Kazakhstan", ERROR),
        },
    }}
    return result
