"""GeoJSON assembly: geometry text comes from PostGIS (ST_AsGeoJSON, 6 decimals ≈ 10 cm) and
is spliced in as-is, so Python never parses and re-encodes coordinates."""

import json

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import F, QuerySet

from .layer import Layer

COORDINATE_PRECISION = 6


def _json_default(value):
    if hasattr(value, "m"):  # a Distance from near= ordering
        return round(value.m, 1)
    return str(value)


# One encoder for every response: json.dumps with options builds a new one on each call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default, separators=(",", ":"))


def dumps(value) -> str:
    return _ENCODER.encode(value)


def feature_rows(layer: Layer, queryset: QuerySet, zoom: int | None = None,
                 extra: tuple[str, ...] = (), transform=None):
    """(pk, properties dict, geometry JSON text, extra values) for each row of the queryset.
    transform, if given, wraps the layer's public geometry in an expression (another CRS for
    the OGC API): it can change the coordinates, never which geometry is drawn."""
    properties = layer.properties()
    geometry = layer.geometry_for_zoom(zoom)
    if transform is not None:
        geometry = transform(F(geometry))
    annotations = {f"_p_{name}": (F(expr) if isinstance(expr, str) else expr)
                   for name, expr in properties.items()}
    names = list(properties)
    values = queryset.annotate(
        _geojson=AsGeoJSON(geometry, precision=COORDINATE_PRECISION),
        **annotations,
    ).values_list("pk", "_geojson", *annotations, *extra)
    for row in values:
        props = dict(zip(names, row[2:2 + len(names)], strict=True))
        yield row[0], props, row[1], row[2 + len(names):]


def feature_text(pk, props: dict, geometry: str | None) -> str:
    # An integer id is its own JSON text: no encoder call per feature for it.
    id_text = str(pk) if type(pk) is int else dumps(pk)
    return (f'{{"type":"Feature","id":{id_text},"geometry":{geometry or "null"},'
            f'"properties":{dumps(props)}}}')
