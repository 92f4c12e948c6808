"""Vector tile SQL: the layer's filtered queryset, wrapped in one ST_AsMVT statement.

The ORM compiles the layer's rows (visibility rule, filters, properties) once per distinct
request shape (layers.core.statements); only z/x/y change per tile. The tile envelope is
transformed to the column's SRID, never the column, so the GiST index answers the `&&` test.

A viewer whose rows are their own (Layer.visibility_key is None: staff who see unpublished
rows) gets a statement compiled for that tile alone: it embeds the caller's rights at that
moment, and a revoked role must stop showing rows on the next tile.

A layer with `aggregate_tiles_max_zoom` draws its low zooms from its own aggregate SELECT
(Layer.aggregate_tile_query) when it offers one for the request: one point per area with a
count, instead of every row.
"""

from django.conf import settings
from django.db import connection
from django.db.models import F

from layers.core.query import GEOMETRIC_PARAMETERS, LayerQuery
from layers.core.statements import STATEMENTS, bind_slots, inline_constants, statement_key


def tile_statement(layer, request, z: int) -> tuple[str, tuple]:
    """SQL and parameters (without z/x/y) producing the layer's MVT tile at zoom z."""
    geometry = layer.geometry_for_zoom(z)
    query = LayerQuery(layer, request)
    key = statement_key(layer, request, "tile", geometry, ignore=GEOMETRIC_PARAMETERS)
    statement, params = STATEMENTS.get_or_compile(key, lambda: _compile(query, geometry))
    return statement, bind_slots(params, query.geometric_values())


def _compile(query: LayerQuery, geometry: str) -> tuple[str, tuple]:
    layer = query.layer
    queryset = query.filtered(slots=True)
    properties = layer.tile_properties()
    columns = {"_tile_id": F("pk"), "_tile_geom": F(geometry)}
    columns.update({f"_p_{name}": F(expr) if isinstance(expr, str) else expr
                    for name, expr in properties.items()})
    inner_sql, inner_params = inline_constants(
        *queryset.order_by().values(**columns).query.sql_with_params())
    quote = connection.ops.quote_name
    props = "".join(f", t.{quote('_p_' + name)} AS {quote(name)}" for name in properties)
    extent, buffer = settings.TILE_EXTENT, settings.TILE_BUFFER
    statement = (
        f"SELECT ST_AsMVT(q, %s, {extent}, 'geom', 'id') FROM ("
        f"SELECT t._tile_id AS id{props}, "
        f"ST_AsMVTGeom(ST_Transform(t._tile_geom, {settings.TILE_SRID}), "
        f"ST_TileEnvelope(%s, %s, %s), {extent}, {buffer}, true) AS geom "
        f"FROM ({inner_sql}) t "
        f"WHERE t._tile_geom && ST_Transform(ST_TileEnvelope(%s, %s, %s, "
        f"margin => {buffer / extent}), {settings.SRID}) "
        f"LIMIT {settings.TILE_MAX_FEATURES}) q"
    )
    return statement, tuple(inner_params)


def aggregate_statement(layer, inner_sql: str, names: tuple) -> str:
    """ST_AsMVT over a layer's aggregate features (Layer.aggregate_tile_query): the inner SELECT
    may join `tile_bounds` to read only the tile's areas. Parameters: z, x, y (tile_bounds),
    the layer's name, z, x, y (ST_AsMVTGeom), then the inner SELECT's own."""
    quote = connection.ops.quote_name
    props = "".join(f", t.{quote(name)}" for name in names)
    extent, buffer = settings.TILE_EXTENT, settings.TILE_BUFFER
    return (
        f"WITH tile_bounds AS (SELECT ST_Transform(ST_TileEnvelope(%s, %s, %s, "
        f"margin => {buffer / extent}), {settings.SRID}) AS envelope) "
        f"SELECT ST_AsMVT(q, %s, {extent}, 'geom', 'id') FROM ("
        f"SELECT t.id{props}, "
        f"ST_AsMVTGeom(ST_Transform(t.geom, {settings.TILE_SRID}), "
        f"ST_TileEnvelope(%s, %s, %s), {extent}, {buffer}, true) AS geom "
        f"FROM ({inner_sql}) t, tile_bounds WHERE t.geom && tile_bounds.envelope "
        f"LIMIT {settings.TILE_MAX_FEATURES}) q"
    )


def _aggregate_query(layer, request, z: int):
    """The layer's aggregate features at this zoom (Layer.aggregate_tile_query), or None,
    once per request shape: validating the filters and building the SQL cost more than the
    counts' tile itself."""
    if layer.aggregate_tiles_max_zoom is None or z > layer.aggregate_tiles_max_zoom:
        return None
    key = statement_key(layer, request, "aggregate", z)
    return STATEMENTS.get_or_compile(key, lambda: layer.aggregate_tile_query(request, z))


def render_tile(layer, request, z: int, x: int, y: int) -> bytes:
    aggregate = _aggregate_query(layer, request, z)
    if aggregate is not None:
        inner_sql, inner_params, names = aggregate
        statement = aggregate_statement(layer, inner_sql, names)
        params = (z, x, y, layer.slug, z, x, y, *inner_params)
    else:
        statement, inner_params = tile_statement(layer, request, z)
        params = (layer.slug, z, x, y, *inner_params, z, x, y)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] else b""
