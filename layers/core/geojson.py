"""GeoJSON assembly: geometry text comes from PostGIS (ST_AsGeoJSON, 6 decimals ≈ 10 cm) and
is spliced in as-is, so Python never parses and re-encodes coordinates."""

import orjson
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import F, QuerySet

from .layer import Layer

COORDINATE_PRECISION = 6


def _json_default(value):
    if hasattr(value, "m"):  # a Distance from near= ordering
        return round(value.m, 1)
    return str(value)  # Decimal as exact text, dates and times as str() writes them


# orjson: a feature's properties are encoded on every row of every list; the standard
# library's encoder costs several times more per feature. Dates and times go through
# _json_default so they read as they always have.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def dumps(value) -> str:
    return orjson.dumps(value, default=_json_default, option=_OPTIONS).decode()


def feature_values(layer: Layer, queryset: QuerySet, zoom: int | None = None,
                   extra: tuple[str, ...] = (), transform=None) -> QuerySet:
    """values_list rows (pk, geometry JSON text, *properties in layer.properties() order,
    *extra). transform, if given, wraps the layer's public geometry in an expression (another
    CRS for the OGC API): it can change the coordinates, never which geometry is drawn."""
    geometry = layer.geometry_for_zoom(zoom)
    if transform is not None:
        geometry = transform(F(geometry))
    annotations = {f"_p_{name}": (F(expr) if isinstance(expr, str) else expr)
                   for name, expr in layer.properties().items()}
    return queryset.annotate(
        _geojson=AsGeoJSON(geometry, precision=COORDINATE_PRECISION),
        **annotations,
    ).values_list("pk", "_geojson", *annotations, *extra)


def features_of(names: list[str], rows):
    """(pk, properties dict, geometry JSON text, extra values) for feature_values() rows."""
    count = len(names)
    for row in rows:
        props = dict(zip(names, row[2:2 + count], strict=True))
        yield row[0], props, row[1], row[2 + count:]


def feature_rows(layer: Layer, queryset: QuerySet, zoom: int | None = None,
                 extra: tuple[str, ...] = (), transform=None):
    """(pk, properties dict, geometry JSON text, extra values) for each row of the queryset."""
    values = feature_values(layer, queryset, zoom, extra, transform)
    yield from features_of(list(layer.properties()), values)


def feature_text(pk, props: dict, geometry: str | None) -> str:
    # An integer id is its own JSON text: no encoder call per feature for it.
    id_text = str(pk) if type(pk) is int else dumps(pk)
    return (f'{{"type":"Feature","id":{id_text},"geometry":{geometry or "null"},'
            f'"properties":{dumps(props)}}}')
