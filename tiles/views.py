"""MVT tiles and TileJSON for every registered layer (plain Django views: a tile is hot)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from layers.core.caching import finish_response
from layers.core.errors import BadQuery, NotFound, error_response
from layers.core.registry import layer_registry

from .sql import render_tile

MVT = "application/vnd.mapbox-vector-tile"
MAX_ZOOM = 22


@require_GET
def tile(request, slug: str, z: str, x: str, y: str):
    layer = layer_registry.get(slug)
    if layer is None:
        return error_response(NotFound(f"no layer {slug!r}"))
    if not all(part.isascii() and part.isdigit() and len(part) <= 8 for part in (z, x, y)):
        return error_response(BadQuery("z, x and y of a tile are whole numbers from 0, "
                                       "e.g. /tiles/settlements/10/730/375.mvt", "z"))
    z, x, y = int(z), int(x), int(y)
    if z > MAX_ZOOM or x >= 2**z or y >= 2**z:
        return error_response(BadQuery(f"no tile {z}/{x}/{y}: x and y must be below 2^z and "
                                       f"z at most {MAX_ZOOM}", "z"))
    if not (layer.min_zoom <= z <= layer.max_zoom):
        return HttpResponse(status=204)
    try:
        data = render_tile(layer, request, z, x, y)
    except (BadQuery, NotFound) as error:
        return error_response(error)
    if not data:
        return finish_response(request, layer, HttpResponse(status=204))
    return finish_response(request, layer, HttpResponse(data, content_type=MVT),
                           public_cache_control="public, max-age=300")


def tile_url_template(request, slug: str) -> str:
    """The absolute {z}/{x}/{y} URL of a layer's tiles, with the request's filters."""
    template = request.build_absolute_uri(f"/tiles/{slug}/") + "{z}/{x}/{y}.mvt"
    if request.GET:
        template += "?" + request.GET.urlencode(safe="{}")
    return template


@require_GET
def style(request, slug: str):
    """A Mapbox GL style drawing the layer's tiles in its map colours (for QGIS's vector
    tile connections and MapLibre)."""
    from gis_portal.ogc.tiles import mapbox_style

    layer = layer_registry.get(slug)
    if layer is None:
        return error_response(NotFound(f"no layer {slug!r}"))
    return JsonResponse(mapbox_style(layer, tile_url_template(request, slug)),
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def tilejson(request, slug: str):
    layer = layer_registry.get(slug)
    if layer is None:
        return error_response(NotFound(f"no layer {slug!r}"))
    template = tile_url_template(request, slug)
    min_lon, min_lat, max_lon, max_lat = settings.KAZAKHSTAN_BBOX
    return JsonResponse({
        "tilejson": "3.0.0",
        "name": str(layer.title),
        "description": str(layer.description),
        "scheme": "xyz",
        "tiles": [template],
        "minzoom": layer.min_zoom,
        "maxzoom": layer.max_zoom,
        "bounds": [min_lon, min_lat, max_lon, max_lat],
        "center": [settings.MAP_DEFAULT_CENTER[1], settings.MAP_DEFAULT_CENTER[0],
                   settings.MAP_DEFAULT_ZOOM],
        "vector_layers": [{
            "id": slug,
            "description": str(layer.title),
            "minzoom": layer.min_zoom,
            "maxzoom": layer.max_zoom,
            "fields": {name: layer.label_for(name) for name in ("id", *layer.tile_fields)},
        }],
    }, json_dumps_params={"ensure_ascii": False})
