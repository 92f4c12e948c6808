"""Styles for GIS clients of the vector tiles: a Mapbox GL style (version 8) per layer, drawn
from the layer's own map style (colour, radius, weight, fill), so QGIS shows a layer as the
portal's map does."""

from django.conf import settings

from layers.core.layer import LINE, POINT


def mapbox_style(layer, tile_url_template: str) -> dict:
    """The style JSON: one vector source (the layer's tiles) and the layers drawing it."""
    slug = layer.slug
    style = layer.style or {}
    colour = style.get("color", "#3366cc")
    fill = style.get("fillColor", colour)
    source = {"type": "vector", "tiles": [tile_url_template], "minzoom": layer.min_zoom,
              "maxzoom": layer.max_zoom, "bounds": list(settings.KAZAKHSTAN_BBOX)}
    common = {"source": slug, "source-layer": slug, "minzoom": layer.min_zoom}
    if layer.geometry_kind == POINT:
        layers = [{"id": f"{slug}-points", "type": "circle", **common,
                   "paint": {"circle-color": fill,
                             "circle-radius": style.get("radius", 5),
                             "circle-opacity": style.get("fillOpacity", 0.9),
                             "circle-stroke-color": colour,
                             "circle-stroke-width": style.get("weight", 1)}}]
    elif layer.geometry_kind == LINE:
        layers = [{"id": f"{slug}-lines", "type": "line", **common,
                   "paint": {"line-color": colour, "line-width": style.get("weight", 2)}}]
    else:
        # A polygon layer may hold points too (natural sites: peaks next to lakes).
        layers = [
            {"id": f"{slug}-fill", "type": "fill", **common,
             "filter": ["==", "$type", "Polygon"],
             "paint": {"fill-color": fill, "fill-opacity": style.get("fillOpacity", 0.3),
                       "fill-outline-color": colour}},
            {"id": f"{slug}-outline", "type": "line", **common,
             "filter": ["==", "$type", "Polygon"],
             "paint": {"line-color": colour, "line-width": style.get("weight", 1)}},
            {"id": f"{slug}-points", "type": "circle", **common,
             "filter": ["==", "$type", "Point"],
             "paint": {"circle-color": fill, "circle-radius": style.get("radius", 5),
                       "circle-stroke-color": colour, "circle-stroke-width": 1}},
        ]
    return {"version": 8, "name": str(layer.title), "sources": {slug: source},
            "layers": layers}


# --- OGC API - Tiles: tilesets of each public collection on WebMercatorQuad ------------------

WEB_MERCATOR_QUAD = "WebMercatorQuad"
WEB_MERCATOR_QUAD_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
WEB_MERCATOR_CRS = "http://www.opengis.net/def/crs/EPSG/0/3857"
_ORIGIN = 20037508.3427892
# Zoom 0 of WebMercatorQuad (OGC 17-083r4, annex D): 0.28 mm pixels, 256-pixel tiles.
_SCALE_0 = 559082264.028717
_CELL_0 = 156543.033928041


def tile_matrix_set(max_zoom: int) -> dict:
    """The WebMercatorQuad tile matrix set (OGC Two Dimensional Tile Matrix Set, JSON)."""
    return {
        "id": WEB_MERCATOR_QUAD,
        "title": "Google Maps Compatible for the World",
        "uri": WEB_MERCATOR_QUAD_URI,
        "crs": WEB_MERCATOR_CRS,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": [{
            "id": str(z), "scaleDenominator": _SCALE_0 / 2**z, "cellSize": _CELL_0 / 2**z,
            "cornerOfOrigin": "topLeft", "pointOfOrigin": [-_ORIGIN, _ORIGIN],
            "tileWidth": 256, "tileHeight": 256, "matrixWidth": 2**z, "matrixHeight": 2**z,
        } for z in range(max_zoom + 1)],
    }


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 2**z
    col = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(lat)
    row = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return min(max(col, 0), n - 1), min(max(row, 0), n - 1)


def tile_matrix_limits(layer) -> list[dict]:
    """Rows and columns covering Kazakhstan at each zoom the layer is drawn at."""
    west, south, east, north = settings.KAZAKHSTAN_BBOX
    limits = []
    for z in range(layer.min_zoom, layer.max_zoom + 1):
        min_col, min_row = _tile_of(west, north, z)
        max_col, max_row = _tile_of(east, south, z)
        limits.append({"tileMatrix": str(z), "minTileRow": min_row, "maxTileRow": max_row,
                       "minTileCol": min_col, "maxTileCol": max_col})
    return limits


_DIMENSION = {POINT: 0, LINE: 1}


def tileset(layer, urls: dict) -> dict:
    """The tileset metadata of a layer's vector tiles (OGC API - Tiles, tileset.json)."""
    west, south, east, north = settings.KAZAKHSTAN_BBOX
    fields = {name: {"title": layer.label_for(name)} for name in ("id", *layer.tile_fields)}
    return {
        "title": str(layer.title),
        "description": str(layer.description),
        "dataType": "vector",
        "crs": WEB_MERCATOR_CRS,
        "tileMatrixSetURI": WEB_MERCATOR_QUAD_URI,
        "tileMatrixSetLimits": tile_matrix_limits(layer),
        "boundingBox": {"lowerLeft": [west, south], "upperRight": [east, north],
                        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        "minScaleDenominator": _SCALE_0 / 2**layer.max_zoom,
        "maxScaleDenominator": _SCALE_0 / 2**layer.min_zoom,
        "layers": [{"id": layer.slug, "title": str(layer.title), "dataType": "vector",
                    "geometryDimension": _DIMENSION.get(layer.geometry_kind, 2),
                    "minTileMatrix": str(layer.min_zoom), "maxTileMatrix": str(layer.max_zoom),
                    "propertiesSchema": {"type": "object", "properties": fields}}],
        "links": [
            {"rel": "self", "type": "application/json", "href": urls["self"],
             "title": "this tileset"},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
             "type": "application/json", "href": urls["tiling_scheme"],
             "title": WEB_MERCATOR_QUAD},
            {"rel": "item", "type": "application/vnd.mapbox-vector-tile",
             "href": urls["tiles"], "templated": True, "title": "Mapbox vector tiles"},
            {"rel": "describedby", "type": "application/json", "href": urls["tilejson"],
             "title": "TileJSON"},
            {"rel": "stylesheet", "type": "application/vnd.mapbox.style+json",
             "href": urls["style"], "title": "Mapbox GL style"},
        ],
    }
