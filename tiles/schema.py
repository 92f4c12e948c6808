"""OpenAPI: the tile endpoints are plain Django views (kept thin for speed); describe them."""


def error(description: str) -> dict:
    body = {"type": "object", "properties": {"error": {"type": "string"},
                                             "parameter": {"type": "string"}},
            "required": ["error"]}
    return {"description": description, "content": {"application/json": {"schema": body}}}


def add_tile_paths(result, generator, request, public):
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "layer slug from /api/layers/"}
    xyz = [{"name": n, "in": "path", "required": True, "schema": {"type": "integer"}}
           for n in ("z", "x", "y")]
    result.setdefault("paths", {})
    result["paths"]["/tiles/{slug}/{z}/{x}/{y}.mvt"] = {"get": {
        "operationId": "tiles_tile", "tags": ["tiles"],
        "summary": "Mapbox Vector Tile of a layer (204 when empty); layer filters apply",
        "parameters": [slug, *xyz],
        "responses": {"200": {"description": "tile",
                              "content": {"application/vnd.mapbox-vector-tile": {}}},
                      "204": {"description": "no features in this tile"},
                      "400": error("tile address or filter is invalid"),
                      "404": error("no such layer")},
    }}
    result["paths"]["/tiles/{slug}.json"] = {"get": {
        "operationId": "tiles_tilejson", "tags": ["tiles"],
        "summary": "TileJSON 3.0 description of a layer's tiles",
        "parameters": [slug],
        "responses": {"200": {"description": "TileJSON", "content": {"application/json": {}}},
                      "400": error("a parameter is invalid"),
                      "404": error("no such layer")},
    }}
    return result
