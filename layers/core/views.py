"""The uniform layer API generated from the registry: catalogue, GeoJSON list and detail,
per-area stats and exports. Tiles live in the tiles app."""

import csv
import io
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.gis.measure import D
from django.db.models import F, Func, TextField, Value
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from .caching import finish_response
from .describe import describe_layer
from .errors import BadQuery, NotFound, error_response
from .geojson import COORDINATE_PRECISION, dumps, feature_rows, feature_text_expression
from .params import parse_int
from .private_stats import private_stats
from .query import LayerQuery, resolve_area
from .registry import layer_registry

JSON = "application/json"
GEOJSON = "application/geo+json"
MAX_EXPORT_ROWS = 200_000

SPATIAL_PARAMETERS = [
    OpenApiParameter("area", str, description="KATO code of an oblast, district or okrug"),
    OpenApiParameter("bbox", str, description="min_lon,min_lat,max_lon,max_lat (EPSG:4326)"),
    OpenApiParameter("near", str, description="lon,lat: features within `within` km of it"),
    OpenApiParameter("within", float, description="radius in km for near (default 10)"),
]


ERROR = inline_serializer("LayerError", {
    "error": serializers.CharField(help_text="what to fix"),
    "parameter": serializers.CharField(required=False, help_text="the parameter at fault"),
})
# Every layer endpoint: 400 for a parameter to fix, 404 for an unknown layer or feature.
ERRORS = {(400, JSON): ERROR, (404, JSON): ERROR}


def get_layer(slug: str):
    layer = layer_registry.get(slug)
    if layer is None:
        raise NotFound(f"no layer {slug!r}; the catalogue at /api/layers/ lists them")
    return layer


class PortalAPIView(APIView):
    """A read-only endpoint of public data whose typed errors become JSON 4xx answers.

    GET is answered from Django's own request: these endpoints take no body, write their own
    JSON, negotiate nothing, and know the user from the session AuthenticationMiddleware has
    already read (what DRF's SessionAuthentication would return for a GET). DRF's request
    cycle would add half a millisecond to every list page and tile-sized answer for nothing.
    DRF still describes the endpoints in the OpenAPI schema and answers every other method
    (OPTIONS, 405s)."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "GET":
            return super().dispatch(request, *args, **kwargs)
        self.args, self.kwargs, self.request = args, kwargs, request
        try:
            return self.get(request, *args, **kwargs)
        except (BadQuery, NotFound) as error:
            return error_response(error)

    def handle_exception(self, exc):
        if isinstance(exc, BadQuery | NotFound):
            return error_response(exc)
        return super().handle_exception(exc)


class LayerCatalogueView(PortalAPIView):
    @extend_schema(operation_id="layers_catalogue", summary="Catalogue of map layers", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        body = {"layers": [describe_layer(layer) for layer in layer_registry.all()]}
        return HttpResponse(dumps(body), content_type=JSON)


class LayerListView(PortalAPIView):
    @extend_schema(
        operation_id="layers_features",
        summary="Features of a layer as a GeoJSON FeatureCollection (keyset paging)",
        parameters=[
            *SPATIAL_PARAMETERS,
            OpenApiParameter("limit", int, description="page size (default 500, max 5000)"),
            OpenApiParameter("cursor", str, description="the `next` link's cursor"),
            OpenApiParameter("ordering", str, description="a field of the layer; - descending"),
        ],
        responses={(200, GEOJSON): OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request, slug):
        layer = get_layer(slug)
        query = LayerQuery(layer, request)
        limit = parse_int(request.GET.get("limit"), "limit", settings.GEOJSON_DEFAULT_LIMIT, 1,
                          settings.GEOJSON_MAX_LIMIT)
        cursor = request.GET.get("cursor")
        statement = query.list_statement(limit, with_cursor=bool(cursor))
        order = statement.extra["order"]
        slots = query.geometric_values()
        if cursor:
            slots.update(query.cursor_values(order, cursor))
        # Rows are (pk, the Feature's JSON as UTF-8 bytes, sort keys): the page is the
        # features' bytes joined, never decoded here.
        rows = statement.fetch(text_as_utf8=True, **slots)
        has_more = len(rows) > limit
        rows = rows[:limit]
        head = ['{"type":"FeatureCollection","layer":', dumps(slug),
                ',"numberReturned":', str(len(rows))]
        if has_more:
            last = [value.decode() if isinstance(value, bytes) else value
                    for value in rows[-1]]  # text sort keys came as UTF-8 bytes too
            last_pk, _, *last_keys = statement.convert(last)
            cursor_values = [_cursor_value(v) for v in last_keys] + [last_pk]
            head += [',"next":', dumps(next_page_url(request,
                                                     query.encode_cursor(cursor_values)))]
        head.append(',"features":[')
        body = b"".join([
            "".join(head).encode(), b",".join([row[1] for row in rows]), b"]}"])
        return finish_response(request, layer, HttpResponse(body, content_type=GEOJSON))


def next_page_url(request, cursor: str) -> str:
    """This request's URL with its cursor replaced: the query string is kept as the client
    wrote it (re-encoding every parameter costs more than the rest of a page's Python)."""
    kept = [part for part in request.META.get("QUERY_STRING", "").split("&")
            if part and not part.startswith("cursor=")]
    kept.append("cursor=" + quote(cursor, safe=":"))
    return request.build_absolute_uri(f"{request.path}?{'&'.join(kept)}")


def _cursor_value(value):
    if isinstance(value, D) or hasattr(value, "m"):
        return value.m
    return value


class LayerDetailView(PortalAPIView):
    @extend_schema(operation_id="layers_feature", summary="One feature of a layer as GeoJSON",
                   responses={(200, GEOJSON): OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request, slug, pk):
        layer = get_layer(slug)
        if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
            raise NotFound(f"layer {slug} has no feature {pk!r}: ids are whole numbers")
        text = (layer.visible_queryset(request).filter(pk=pk)
                .annotate(_feature=feature_text_expression(layer))
                .values_list("_feature", flat=True).first())
        if text is None:
            raise NotFound(f"layer {slug} has no feature {pk}")
        return finish_response(request, layer, HttpResponse(text, content_type=GEOJSON))


class LayerStatsView(PortalAPIView):
    @extend_schema(
        operation_id="layers_stats",
        summary="Feature counts and sums per oblast, district or okrug",
        parameters=[OpenApiParameter("level", str, enum=["oblast", "district", "okrug"]),
                    *SPATIAL_PARAMETERS],
        responses={(200, JSON): OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request, slug):
        layer = get_layer(slug)
        level = request.GET.get("level", "oblast")
        if level not in ("oblast", "district", "okrug"):
            raise BadQuery("level must be oblast, district or okrug", "level")
        head = {"layer": slug, "level": level, "measures": ["count", *layer.stat_sums]}
        if layer.private:
            body = {**head, "areas": self.private_areas(request, layer, level),
                    "min_group": settings.TZ_PRIVACY_MIN_GROUP}
            return finish_response(request, layer, HttpResponse(dumps(body),
                                                                content_type=JSON))
        # level names the grouping here, not a filter (the areas layer has a level filter).
        params = request.GET.copy()
        params.pop("level", None)
        query = LayerQuery(layer, request)
        statement = query.stats_statement(level, params)
        if statement is None:
            areas = dumps(layer.stats(query.filtered(params), level)).encode()
        else:
            # The areas' entries as the JSON text PostgreSQL wrote, passed on as bytes.
            areas = statement.fetch(text_as_utf8=True,
                                    **query.geometric_values(params))[0][0]
        body = b"".join([dumps(head)[:-1].encode(), b',"areas":', areas, b"}"])
        return finish_response(request, layer, HttpResponse(body, content_type=JSON))

    @staticmethod
    def private_areas(request, layer, level):
        """Suppressed stats over every visible row: only level= and area= are accepted, so
        two requests can never be subtracted to single out a small group."""
        narrowing = sorted(set(request.GET) - {"level", "area", "lang", "format"})
        if narrowing:
            raise BadQuery(
                f"stats of layer {layer.slug} hold personal data: they are grouped by level "
                f"and area only, groups under {settings.TZ_PRIVACY_MIN_GROUP} are merged; "
                f"remove {', '.join(narrowing)}", narrowing[0])
        area = resolve_area(request.GET["area"]) if request.GET.get("area") else None
        return private_stats(layer, layer.visible_queryset(request), level, area)


class LayerExportView(PortalAPIView):
    @extend_schema(operation_id="layers_export",
                   summary="Export a layer's filtered features (CSV, GeoJSON, GeoPackage)",
                   parameters=SPATIAL_PARAMETERS,
                   responses={(200, "text/csv"): OpenApiTypes.BINARY,
                              (200, GEOJSON): OpenApiTypes.BINARY,
                              (200, "application/geopackage+sqlite3"): OpenApiTypes.BINARY,
                              **ERRORS})
    def get(self, request, slug, fmt):
        layer = get_layer(slug)
        if fmt not in layer.export_formats:
            raise BadQuery(f"layer {slug} exports as {', '.join(layer.export_formats)}", "format")
        query = LayerQuery(layer, request)
        queryset, _ = query.ordered(query.filtered())
        queryset = queryset[:MAX_EXPORT_ROWS]
        filename = f"{slug}.{fmt}"
        if fmt == "geojson":
            response = StreamingHttpResponse(_geojson_chunks(layer, queryset),
                                             content_type=GEOJSON)
        elif fmt == "csv":
            response = StreamingHttpResponse(_csv_chunks(layer, queryset),
                                             content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(_geopackage_bytes(layer, queryset),
                                    content_type="application/geopackage+sqlite3")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return finish_response(request, layer, response)


def _geojson_chunks(layer, queryset):
    yield f'{{"type":"FeatureCollection","layer":{dumps(layer.slug)},"features":['
    texts = (queryset.annotate(_feature=feature_text_expression(layer))
             .values_list("_feature", flat=True).iterator(chunk_size=2000))
    for index, text in enumerate(texts):
        yield ("," if index else "") + text
    yield "]}"


def _csv_chunks(layer, queryset):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = list(layer.properties())
    writer.writerow(["id", *names, "wkt"])
    # The public geometry only, as in every other response.
    wkt = Func(F(layer.geometry_for_zoom(None)), Value(COORDINATE_PRECISION),
               function="ST_AsText", output_field=TextField())
    rows = feature_rows(layer, queryset.annotate(_wkt=wkt), extra=("_wkt",))
    yield "\ufeff"  # so spreadsheet programs read the Cyrillic names as UTF-8
    for pk, props, _, extra in rows:
        writer.writerow([pk, *(props[n] for n in names), extra[0]])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def _geopackage_bytes(layer, queryset) -> bytes:
    import geopandas as gpd
    import shapely

    rows = list(feature_rows(layer, queryset))
    names = list(layer.properties())
    frame = gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], **{n: [r[1][n] for r in rows] for n in names}},
        geometry=[shapely.from_geojson(r[2]) if r[2] else None for r in rows],
        crs=f"EPSG:{settings.SRID}",
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{layer.slug}.gpkg"
        frame.to_file(path, driver="GPKG", layer=layer.slug, engine="pyogrio")
        return path.read_bytes()
