"""OpenAPI: the point lookup is a plain Django view (kept thin for speed); describe it."""


def add_lookup_path(result, generator, request, public):
    area = {"type": "object", "nullable": True, "properties": {
        "level": {"type": "string"}, "kato": {"type": "string"},
        "name": {"type": "object", "properties": {language: {"type": "string"}
                                                  for language in ("kk", "ru", "en")}},
        "approximate": {"type": "boolean"}}}
    settlement = {"type": "object", "nullable": True, "properties": {
        "kato": {"type": "string"}, "name": area["properties"]["name"],
        "distance_km": {"type": "number"}}}
    number = {"type": "number", "format": "double"}
    result.setdefault("paths", {})["/api/areas/lookup"] = {"get": {
        "operationId": "areas_lookup", "tags": ["areas"],
        "summary": "Which oblast, district and rural okrug a point is in, and the nearest "
                   "settlement",
        "parameters": [
            {"name": "lon", "in": "query", "required": True, "schema": number,
             "description": "longitude, WGS 84 degrees"},
            {"name": "lat", "in": "query", "required": True, "schema": number,
             "description": "latitude, WGS 84 degrees"},
            {"name": "generation", "in": "query", "schema": {"type": "string"},
             "description": "boundary generation, e.g. 2018 (default: the current one)"},
        ],
        "responses": {
            "200": {"description": "the areas containing the point",
                    "content": {"application/json": {"schema": {
                        "type": "object", "properties": {
                            "lon": number, "lat": number, "generation": {"type": "string"},
                            "oblast": area, "district": area, "okrug": area,
                            "settlement": settlement}}}}},
            "400": {"description": "lon/lat missing or malformed, or unknown generation"},
            "404": {"description": "the point is outside Kazakhstan"},
        },
    }}
    return result
