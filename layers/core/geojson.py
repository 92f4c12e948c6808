"""GeoJSON assembly. Geometry text comes from PostGIS (ST_AsGeoJSON, 6 decimals ≈ 10 cm).

Two forms of a feature, one set of values (Layer.properties()):
- `FeatureText`: PostgreSQL writes the whole Feature as compact JSON text, and Python only
  joins the rows' texts. The GeoJSON list, a feature's detail and the GeoJSON export use it:
  a page of features then costs the web process what the database's text costs to read.
- `feature_rows`: the values as Python objects, for the responses that are not GeoJSON
  (CSV, GeoPackage) or that mix in values of their own (the OGC API's CRS, spatial answers).
Both write a value the same way: Decimal as exact text, times as ISO 8601 in UTC.
"""

import re

import orjson
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import F, QuerySet, TextField

from .layer import ISO_TIME_PATTERN, Layer
from .statements import SourcesExpression

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


_PROPERTY_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class FeatureText(SourcesExpression):
    """One GeoJSON Feature as compact JSON text, written by PostgreSQL:
    {"type":"Feature","id":…,"geometry":…,"properties":{…}} with the properties in the order
    given. A value is written with to_json, except Decimal (exact text, as `dumps` writes it)
    and times (ISO 8601 in UTC)."""

    def __init__(self, pk, geometry, properties: dict):
        for name in properties:
            # Keys are written into the statement: only plain names, never user input.
            if not _PROPERTY_NAME.fullmatch(name):
                raise ValueError(f"property name {name!r} is not a plain lower-case name")
        super().__init__([pk, geometry, *properties.values()], TextField())
        self.names = list(properties)

    @staticmethod
    def _json_value(sql: str, expression) -> str:
        internal = expression.output_field.get_internal_type()
        if internal == "DecimalField":
            return f"to_json(({sql})::text)"
        if internal == "DateTimeField":
            return f"to_json(to_char(({sql}) AT TIME ZONE 'UTC', '{ISO_TIME_PATTERN}'))"
        return f"to_json({sql})"

    def as_sql(self, compiler, connection):
        params = []

        def compiled(expression):
            sql, expression_params = compiler.compile(expression)
            params.extend(expression_params)
            return sql

        pk, geometry, *values = self.sources
        pieces = [f"""'{{"type":"Feature","id":' || to_json({compiled(pk)})::text""",
                  f"""',"geometry":' || coalesce(({compiled(geometry)})::text, 'null')"""]
        for index, (name, expression) in enumerate(zip(self.names, values, strict=True)):
            opening = '"properties":{' if index == 0 else ""
            value = self._json_value(compiled(expression), expression)
            pieces.append(f"""',{opening}"{name}":' || coalesce({value}::text, 'null')""")
        pieces.append("'}}'" if values else """',"properties":{}}'""")
        return "(" + " || ".join(pieces) + ")", params


def feature_text_expression(layer: Layer, zoom: int | None = None, transform=None,
                            extra_properties: dict | None = None) -> FeatureText:
    """The layer's Feature as JSON text written by PostgreSQL (see FeatureText);
    extra_properties (name → expression) follow the layer's own."""
    geometry = layer.geometry_for_zoom(zoom)
    if transform is not None:
        geometry = transform(F(geometry))
    properties = {name: (F(expr) if isinstance(expr, str) else expr)
                  for name, expr in layer.properties().items()}
    properties.update(extra_properties or {})
    return FeatureText(F("pk"), AsGeoJSON(geometry, precision=COORDINATE_PRECISION), properties)


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
