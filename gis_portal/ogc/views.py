"""OGC API - Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 CRS by reference) over the
layer registry.

Every public layer is a collection. Items go through the same path as /api/layers/<slug>/
(LayerQuery: the layer's visibility rule, its filters, bbox on the public geometry, signed
keyset cursors; feature_rows: its declared properties only), so nothing reachable here is not
also public there. Private layers and layers whose rows depend on who asks are not served:
their collection and items answer 404, as an unknown one does.
"""

from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from layers.core.caching import finish_response
from layers.core.errors import BadQuery, NotFound
from layers.core.geojson import dumps, feature_rows, feature_text
from layers.core.query import LayerQuery
from tiles import views as tiles_views

from . import collections as coll
from . import tiles
from .crs import CRS84, content_crs_header, parse_bbox, parse_crs
from .timefilter import datetime_condition

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"
HTML = "text/html"

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
]
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

# Parameters every request may carry (lang: the language of titles and names).
COMMON_PARAMETERS = {"f", "lang"}
ITEMS_PARAMETERS = COMMON_PARAMETERS | {"bbox", "bbox-crs", "limit", "cursor", "datetime",
                                        "crs", "area"}
ITEM_PARAMETERS = COMMON_PARAMETERS | {"crs"}


# --- errors and helpers -----------------------------------------------------------------------

def ogc_error(error: BadQuery | NotFound) -> JsonResponse:
    """The OGC exception shape (code, description) with the portal's own (error, parameter)."""
    code = "InvalidParameterValue" if error.status == 400 else "NotFound"
    body = {"code": code, "description": error.message, "error": error.message}
    if getattr(error, "parameter", None):
        body["parameter"] = error.parameter
    return JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})


def ogc_view(allowed, formats=("json",)):
    """A GET/HEAD view whose typed errors become OGC exceptions; refuses parameters not in
    `allowed` (a set, or a function of the view's keyword arguments giving one: Part 1
    /req/core/query-param-unknown), and checks f=."""

    def decorate(view):
        @require_safe
        def wrapper(request, *args, **kwargs):
            try:
                _refuse_unknown(request, allowed(**kwargs) if callable(allowed) else allowed)
                fmt = request.GET.get("f", formats[0])
                if fmt not in formats:
                    raise BadQuery(f"f must be one of {', '.join(formats)}", "f")
                return view(request, *args, **kwargs)
            except (BadQuery, NotFound) as error:
                return ogc_error(error)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


def _refuse_unknown(request, allowed: set[str]):
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed))
        raise BadQuery(f"unknown parameter(s) {', '.join(unknown)}; this resource takes: "
                       f"{names}", unknown[0])


def _json(body, content_type=JSON, status=200) -> HttpResponse:
    return HttpResponse(dumps(body), content_type=content_type, status=status)


def _abs(request, path: str, **query) -> str:
    url = request.build_absolute_uri(path)
    query = {k: v for k, v in query.items() if v is not None}
    return f"{url}?{urlencode(query)}" if query else url


def _link(href: str, rel: str, type_: str, title: str = "") -> dict:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def collection_or_404(slug: str):
    layer = coll.public_layer(slug)
    if layer is None:
        raise NotFound(f"no collection {slug!r}; /ogc/collections lists them")
    return layer


# --- landing page, conformance, API definition ------------------------------------------------

def html_page(request):
    """The landing page and the collections for people: addresses to paste into QGIS."""
    from django.shortcuts import render

    collections = []
    for layer in coll.public_layers():
        slug = layer.slug
        collections.append({
            "id": slug, "title": str(layer.title), "description": str(layer.description),
            "items_url": reverse("ogc:items", args=[slug]),
            "queryables_url": reverse("ogc:queryables", args=[slug]),
            "tilejson_url": reverse("tiles:tilejson-alias", args=[slug]),
            "tiles_url": _abs(request, f"/tiles/{slug}/") + "{z}/{x}/{y}.mvt",
            "style_url": _abs(request, reverse("tiles:style", args=[slug])),
        })
    return render(request, "ogc/landing.html", {
        "collections": collections,
        "landing_url": _abs(request, reverse("ogc:landing")),
        "json_url": reverse("ogc:landing"),
        "openapi_url": reverse("ogc:openapi"),
        "openapi_doc_url": reverse("ogc:openapi-doc"),
        "conformance_url": reverse("ogc:conformance"),
    })


@ogc_view(COMMON_PARAMETERS, formats=("json", "html"))
def landing(request):
    """The landing page: links to the API definition, conformance and the collections."""
    if request.GET.get("f") == "html":
        return html_page(request)
    body = {
        "title": _("Tugan Zher map portal"),
        "description": _("Public layers of the Tugan Zher programme as OGC API - Features "
                         "(administrative areas, settlements and every public programme "
                         "layer), for QGIS, GDAL and other GIS clients."),
        "links": [
            _link(_abs(request, reverse("ogc:landing")), "self", JSON, _("this document")),
            _link(_abs(request, reverse("ogc:landing"), f="html"), "alternate", HTML,
                  _("this document as HTML")),
            _link(_abs(request, reverse("ogc:openapi")), "service-desc", OPENAPI,
                  _("the API definition (OpenAPI 3.0)")),
            _link(_abs(request, reverse("ogc:openapi-doc")), "service-doc", HTML,
                  _("the API documentation")),
            _link(_abs(request, reverse("ogc:conformance")), "conformance", JSON,
                  _("conformance classes implemented")),
            _link(_abs(request, reverse("ogc:conformance")),
                  "http://www.opengis.net/def/rel/ogc/1.0/conformance", JSON,
                  _("conformance classes implemented")),
            _link(_abs(request, reverse("ogc:collections")), "data", JSON,
                  _("the collections")),
            _link(_abs(request, reverse("ogc:collections")),
                  "http://www.opengis.net/def/rel/ogc/1.0/data", JSON, _("the collections")),
            _link(_abs(request, reverse("ogc:tile-matrix-sets")),
                  "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", JSON,
                  _("tile matrix sets of the vector tiles")),
        ],
    }
    return _json(body)


@ogc_view(COMMON_PARAMETERS)
def conformance(request):
    return _json({"conformsTo": CONFORMANCE})


@ogc_view(COMMON_PARAMETERS)
def openapi(request):
    from .openapi import openapi_document

    return _json(openapi_document(request), content_type=OPENAPI)


# --- collections --------------------------------------------------------------------------------

def describe_collection(request, layer) -> dict:
    slug = layer.slug
    collection_url = _abs(request, reverse("ogc:collection", args=[slug]))
    items_url = _abs(request, reverse("ogc:items", args=[slug]))
    description = {
        "id": slug,
        "title": str(layer.title),
        "description": str(layer.description),
        "itemType": "feature",
        "extent": coll.extent(layer, request),
        "crs": coll.crs_list(),
        "storageCrs": CRS84.uri,
        "links": [
            _link(collection_url, "self", JSON, _("this collection")),
            _link(items_url, "items", GEOJSON, _("the features (GeoJSON)")),
            _link(f"{items_url}?f=json", "items", JSON, _("the features (JSON)")),
            _link(_abs(request, reverse("ogc:queryables", args=[slug])), REL_QUERYABLES,
                  SCHEMA_JSON, _("what the features can be filtered by")),
            _link(_abs(request, reverse("ogc:tilesets", args=[slug])),
                  "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON,
                  _("vector tiles of this collection")),
            _link(_abs(request, reverse("tiles:tilejson-alias", args=[slug])), "related",
                  JSON, _("vector tiles of this collection (TileJSON)")),
        ],
    }
    temporal = coll.temporal_property(layer)
    if temporal:
        description["datetimeProperty"] = temporal[0]
    return description


@ogc_view(COMMON_PARAMETERS, formats=("json", "html"))
def collections(request):
    if request.GET.get("f") == "html":
        return html_page(request)
    body = {
        "links": [_link(_abs(request, reverse("ogc:collections")), "self", JSON,
                        _("the collections")),
                  _link(_abs(request, reverse("ogc:collections"), f="html"), "alternate", HTML,
                        _("the collections as HTML"))],
        "collections": [describe_collection(request, layer) for layer in coll.public_layers()],
        "crs": coll.crs_list(),
    }
    return _json(body)


@ogc_view(COMMON_PARAMETERS)
def collection(request, slug):
    return _json(describe_collection(request, collection_or_404(slug)))


@ogc_view(COMMON_PARAMETERS)
def queryables(request, slug):
    layer = collection_or_404(slug)
    url = _abs(request, reverse("ogc:queryables", args=[slug]))
    return _json(coll.queryables(layer, url), content_type=SCHEMA_JSON)


# --- items --------------------------------------------------------------------------------------

def _bbox_parameter(request) -> str | None:
    """The bbox as the core's min_lon,min_lat,max_lon,max_lat; "" when it misses Kazakhstan
    (an empty answer, not an error: the bbox is valid, it just holds nothing)."""
    raw = request.GET.get("bbox")
    if raw in (None, ""):
        return None
    polygon = parse_bbox(raw, parse_crs(request.GET.get("bbox-crs"), "bbox-crs"))
    min_lon, min_lat, max_lon, max_lat = polygon.extent
    k_min_lon, k_min_lat, k_max_lon, k_max_lat = settings.KAZAKHSTAN_BBOX
    if max_lon < k_min_lon or min_lon > k_max_lon or max_lat < k_min_lat or min_lat > k_max_lat:
        return ""
    # A point or a line as bbox: widen it by a millimetre so it is a box.
    if max_lon - min_lon < 1e-8:
        min_lon, max_lon = min_lon - 1e-8, max_lon + 1e-8
    if max_lat - min_lat < 1e-8:
        min_lat, max_lat = min_lat - 1e-8, max_lat + 1e-8
    return ",".join(repr(float(v)) for v in (max(min_lon, -180.0), max(min_lat, -90.0),
                                             min(max_lon, 180.0), min(max_lat, 90.0)))


def _limit(request) -> int:
    raw = request.GET.get("limit")
    if raw in (None, ""):
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
        raise BadQuery(f"limit must be a whole number from 1 (pages hold at most {MAX_LIMIT} "
                       f"features), got {raw!r}", "limit")
    # Above the maximum is not an error (17-069r4 /req/core/fc-limit-response-1): the
    # server answers with the maximum.
    return min(int(raw), MAX_LIMIT)


def _layer_parameters(request, layer) -> tuple[QueryDict, bool]:
    """The parameters LayerQuery applies (the layer's own filters, area and bbox), and
    whether the bbox misses Kazakhstan altogether."""
    params = QueryDict(mutable=True)
    for name in coll.filter_parameters(layer):
        if name in request.GET:
            params.setlist(name, request.GET.getlist(name))
    if request.GET.get("area"):
        params["area"] = request.GET["area"]
    bbox = _bbox_parameter(request)
    if bbox:
        params["bbox"] = bbox
    return params, bbox == ""


def _geometry_transform(crs):
    """feature_rows' transform for an output CRS (None: the stored CRS84 as it is)."""
    return None if crs is CRS84 else crs.geometry_expression


def items_parameters(slug) -> set[str]:
    """What /items takes: the common parameters and the collection's own filters."""
    layer = coll.public_layer(slug)
    return ITEMS_PARAMETERS | set(coll.filter_parameters(layer) if layer else ())


@ogc_view(items_parameters, formats=("geojson", "json"))
def items(request, slug):
    layer = collection_or_404(slug)
    output_crs = parse_crs(request.GET.get("crs"), "crs")
    limit = _limit(request)
    params, bbox_misses = _layer_parameters(request, layer)
    query = LayerQuery(layer, request)
    queryset = query.filtered(params)
    if bbox_misses:
        queryset = queryset.none()
    if request.GET.get("datetime"):
        temporal = coll.temporal_property(layer)
        if temporal is None:
            raise BadQuery(f"collection {slug} has no date: leave out datetime", "datetime")
        queryset = queryset.filter(datetime_condition(request.GET["datetime"], temporal[1],
                                                      temporal[2]))
    # Paging is by id alone (the order GDAL and QGIS expect of a plain collection); the
    # cursors are the layer registry's signed ones.
    no_ordering = QueryDict()
    matched = queryset.count()
    queryset, _order = query.ordered(queryset, no_ordering)
    before = False
    cursor = request.GET.get("cursor")
    if cursor:
        values = query.decode_cursor(cursor, no_ordering)
        before = len(values) == 2 and values[1] == "prev"
        if not (isinstance(values[0], int) and (len(values) == 1 or before)):
            raise BadQuery("cursor is not valid: use the next or prev link of a page",
                           "cursor")
        queryset = (queryset.filter(pk__lt=values[0]).order_by("-pk") if before
                    else queryset.filter(pk__gt=values[0]))
    transform = _geometry_transform(output_crs)
    rows = list(feature_rows(layer, queryset[: limit + 1], transform=transform))
    more = len(rows) > limit
    rows = rows[:limit]
    if before:
        rows.reverse()
    has_next = more if not before else True
    has_prev = bool(cursor) and (more if before else True) and bool(rows)
    if before and not rows:
        has_next = False

    fmt = request.GET.get("f", "geojson")
    content_type = GEOJSON if fmt == "geojson" else JSON
    self_url = request.build_absolute_uri()
    links = [_link(self_url, "self", content_type, _("this page"))]
    alternate = request.GET.copy()
    alternate["f"] = "json" if fmt == "geojson" else "geojson"
    links.append(_link(f"{request.build_absolute_uri(request.path)}?{alternate.urlencode()}",
                       "alternate", JSON if fmt == "geojson" else GEOJSON,
                       _("this page as JSON") if fmt == "geojson" else
                       _("this page as GeoJSON")))
    if has_next and rows:
        links.append(_page_link(request, query, [rows[-1][0]], "next", content_type,
                                _("next page")))
    if has_prev:
        links.append(_page_link(request, query, [rows[0][0], "prev"], "prev", content_type,
                                _("previous page")))
    links.append(_link(_abs(request, reverse("ogc:collection", args=[slug])), "collection",
                       JSON, _("the collection")))

    features = ",".join(feature_text(pk, props, geometry) for pk, props, geometry, _extra in rows)
    time_stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    body = ('{"type":"FeatureCollection","numberMatched":' + str(matched)
            + ',"numberReturned":' + str(len(rows)) + ',"timeStamp":' + dumps(time_stamp)
            + ',"links":' + dumps(links) + ',"features":[' + features + "]}")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Crs"] = content_crs_header(output_crs)
    return finish_response(request, layer, response)


def _page_link(request, query, values, rel, content_type, title):
    params = request.GET.copy()
    params["cursor"] = query.encode_cursor(values, QueryDict())
    return _link(f"{request.build_absolute_uri(request.path)}?{params.urlencode()}", rel,
                 content_type, title)


@ogc_view(ITEM_PARAMETERS, formats=("geojson", "json"))
def item(request, slug, pk):
    layer = collection_or_404(slug)
    output_crs = parse_crs(request.GET.get("crs"), "crs")
    if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        raise NotFound(f"collection {slug} has no feature {pk!r}: ids are whole numbers")
    queryset = layer.visible_queryset(request).filter(pk=int(pk))
    rows = list(feature_rows(layer, queryset, transform=_geometry_transform(output_crs)))
    if not rows:
        raise NotFound(f"collection {slug} has no feature {pk}")
    fmt = request.GET.get("f", "geojson")
    content_type = GEOJSON if fmt == "geojson" else JSON
    feature_id, props, geometry, _extra = rows[0]
    self_url = request.build_absolute_uri()
    alternate = request.GET.copy()
    alternate["f"] = "json" if fmt == "geojson" else "geojson"
    links = [
        _link(self_url, "self", content_type, _("this feature")),
        _link(f"{request.build_absolute_uri(request.path)}?{alternate.urlencode()}",
              "alternate", JSON if fmt == "geojson" else GEOJSON, _("this feature")),
        _link(_abs(request, reverse("ogc:collection", args=[slug])), "collection", JSON,
              _("the collection")),
    ]
    text = feature_text(feature_id, props, geometry)
    body = text[:-1] + ',"links":' + dumps(links) + "}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Crs"] = content_crs_header(output_crs)
    return finish_response(request, layer, response)


# --- OGC API - Tiles: the vector tiles of each collection ---------------------------------------

def _tms_or_404(tms: str):
    if tms != tiles.WEB_MERCATOR_QUAD:
        raise NotFound(f"no tile matrix set {tms!r}; the tiles use {tiles.WEB_MERCATOR_QUAD}")


def _tileset_urls(request, slug: str) -> dict:
    tileset_url = _abs(request, reverse("ogc:tileset", args=[slug, tiles.WEB_MERCATOR_QUAD]))
    return {
        "self": tileset_url,
        "tiling_scheme": _abs(request, reverse("ogc:tile-matrix-set",
                                               args=[tiles.WEB_MERCATOR_QUAD])),
        "tiles": tileset_url + "/{tileMatrix}/{tileRow}/{tileCol}",
        "tilejson": _abs(request, reverse("tiles:tilejson-alias", args=[slug])),
        "style": _abs(request, reverse("tiles:style", args=[slug])),
    }


@ogc_view(COMMON_PARAMETERS)
def tile_matrix_sets(request):
    url = _abs(request, reverse("ogc:tile-matrix-set", args=[tiles.WEB_MERCATOR_QUAD]))
    return _json({"tileMatrixSets": [{
        "id": tiles.WEB_MERCATOR_QUAD, "title": "Google Maps Compatible for the World",
        "uri": tiles.WEB_MERCATOR_QUAD_URI,
        "links": [_link(url, "self", JSON, tiles.WEB_MERCATOR_QUAD)]}]})


@ogc_view(COMMON_PARAMETERS)
def tile_matrix_set(request, tms):
    _tms_or_404(tms)
    return _json(tiles.tile_matrix_set(tiles_views.MAX_ZOOM))


@ogc_view(COMMON_PARAMETERS)
def tilesets(request, slug):
    layer = collection_or_404(slug)
    urls = _tileset_urls(request, slug)
    return _json({
        "links": [_link(_abs(request, reverse("ogc:tilesets", args=[slug])), "self", JSON,
                        _("tilesets of this collection"))],
        "tilesets": [{
            "title": str(layer.title), "dataType": "vector", "crs": tiles.WEB_MERCATOR_CRS,
            "tileMatrixSetURI": tiles.WEB_MERCATOR_QUAD_URI,
            "links": [_link(urls["self"], "self", JSON, _("the tileset")),
                      _link(urls["tiling_scheme"],
                            "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", JSON,
                            tiles.WEB_MERCATOR_QUAD)],
        }],
    })


@ogc_view(COMMON_PARAMETERS)
def tileset(request, slug, tms):
    layer = collection_or_404(slug)
    _tms_or_404(tms)
    return _json(tiles.tileset(layer, _tileset_urls(request, slug)))


@require_safe
def tile(request, slug, tms, z, row, col):
    """One tile at its OGC API - Tiles address: the same tile as /tiles/<slug>/z/x/y.mvt."""
    try:
        if coll.public_layer(slug) is None:
            raise NotFound(f"no collection {slug!r}; /ogc/collections lists them")
        _tms_or_404(tms)
        if not all(part.isascii() and part.isdigit() and len(part) <= 8
                   for part in (z, row, col)):
            raise NotFound("tileMatrix, tileRow and tileCol are whole numbers from 0")
        if int(z) > tiles_views.MAX_ZOOM or int(row) >= 2**int(z) or int(col) >= 2**int(z):
            raise NotFound(f"no tile {z}/{row}/{col} in {tiles.WEB_MERCATOR_QUAD}")
    except NotFound as error:
        return ogc_error(error)
    return tiles_views.tile(request, slug, z, col, row)
