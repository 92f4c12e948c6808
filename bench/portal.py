"""The portal side of the benchmark: environment, Django set-up, and the exact SQL it runs.

The raw-SQL contenders do not re-implement anything: the tile statement comes from
tiles.sql.tile_statement (the function the tile view calls) and the lookup statement is
layers.areas.api.LOOKUP_SQL. They run through psycopg's ClientCursor, which is what Django's
psycopg 3 backend uses by default (client-side parameter binding), so the database receives the
same text either way.
"""

import os
import re
import secrets
import string

from cryptography.fernet import Fernet

from .util import ROOT

SETTINGS_MODULE = "gis_portal.settings.prod"
LAYER_SLUGS = ("settlements", "areas")
# The schema holding the views TiPg serves (same rows and columns as our tiles).
VIEW_SCHEMA = "bench"


def _secret(length: int = 50) -> str:
    alphabet = string.ascii_letters + string.digits + "!#%()*+,-./:;<=>?@[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _required_settings_variables() -> list[str]:
    """Variables the prod settings read without a default (secrets): env_str("NAME")."""
    text = (ROOT / "gis_portal" / "settings" / "prod.py").read_text()
    return re.findall(r'env_str\(\s*"([A-Z0-9_]+)"\s*\)', text)


def portal_environment() -> dict[str, str]:
    """Environment of the gunicorn run (and of this process's django.setup()).

    Every secret the prod settings require gets a fresh random 50-character value.
    """
    env = dict(os.environ)
    for name in _required_settings_variables():
        env[name] = _secret()
    env.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DJANGO_SECRET_KEY": _secret(),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_CONN_MAX_AGE": "600",
        # The bench speaks plain HTTP on loopback, as gunicorn does behind its TLS proxy.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "TZ_PRIVACY_KEYS": Fernet.generate_key().decode(),
        "TZ_PRIVACY_INDEX_KEY": _secret(),
    })
    return env


def setup_django(env: dict[str, str], portal_dir=ROOT) -> None:
    """django.setup() on the portal's code (portal_dir: a patched copy, ahead of the editable
    install of this checkout on sys.path, so the raw SQL comes from the same code)."""
    import sys

    for key, value in env.items():
        if key.startswith(("DJANGO_", "TZ_")) or key == "DATABASE_URL":
            os.environ[key] = value
    if str(portal_dir) != str(ROOT):
        sys.path.insert(0, str(portal_dir))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    # A request without Accept-Language gets LANGUAGE_CODE from LocaleMiddleware: same here.
    translation.activate(settings.LANGUAGE_CODE)


def db_params() -> dict:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return {"dbname": db["NAME"], "user": db.get("USER") or "postgres",
            "password": db.get("PASSWORD") or "", "host": db.get("HOST") or "127.0.0.1",
            "port": str(db.get("PORT") or 5432)}


def conninfo(params: dict) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(**{k: v for k, v in params.items() if v}, application_name="bench")


def database_url(params: dict) -> str:
    """postgresql://… URL of the same database, for TiPg."""
    from urllib.parse import quote

    auth = quote(params["user"], safe="")
    if params["password"]:
        auth += ":" + quote(params["password"], safe="")
    return f"postgresql://{auth}@{params['host']}:{params['port']}/{params['dbname']}"


def connect(params: dict):
    import psycopg

    return psycopg.connect(conninfo(params), autocommit=True,
                           cursor_factory=psycopg.ClientCursor)


def data_summary(conn) -> dict:
    """Row counts of what the benchmark reads; settlements with a point must exist."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT (SELECT count(*) FROM areas_settlement),
                   (SELECT count(*) FROM areas_settlement WHERE geom IS NOT NULL),
                   (SELECT count(*) FROM areas_adminarea a JOIN areas_boundarygeneration g
                      ON g.id = a.generation_id WHERE g.is_current AND a.geom IS NOT NULL),
                   (SELECT count(*) FROM areas_adminareapart p JOIN areas_boundarygeneration g
                      ON g.id = p.generation_id WHERE g.is_current),
                   (SELECT code FROM areas_boundarygeneration WHERE is_current),
                   (SELECT sum(ST_NPoints(geom)) FROM areas_adminarea a
                      JOIN areas_boundarygeneration g ON g.id = a.generation_id
                      WHERE g.is_current),
                   (SELECT sum(ST_NPoints(geom_simplified)) FROM areas_adminarea a
                      JOIN areas_boundarygeneration g ON g.id = a.generation_id
                      WHERE g.is_current)
        """)
        row = cur.fetchone()
        cur.execute("""SELECT a.level, count(*) FROM areas_adminarea a
                       JOIN areas_boundarygeneration g ON g.id = a.generation_id
                       WHERE g.is_current AND a.geom IS NOT NULL GROUP BY 1 ORDER BY 1""")
        levels = dict(cur.fetchall())
        cur.execute("SELECT current_setting('max_parallel_workers_per_gather'), "
                    "current_setting('shared_buffers'), current_setting('jit'), "
                    "postgis_lib_version(), split_part(version(), ' ', 2)")
        parallel, shared_buffers, jit, postgis, pg = cur.fetchone()
    return {"settlements": row[0], "settlements_with_point": row[1], "areas_with_geom": row[2],
            "areas_by_level": levels, "lookup_parts": row[3], "generation": row[4],
            "area_vertices": row[5], "area_vertices_simplified": row[6],
            "postgres": pg, "postgis": postgis,
            "max_parallel_workers_per_gather": parallel, "shared_buffers": shared_buffers,
            "jit": jit}


def data_fingerprint(conn) -> tuple:
    """Changes whenever anyone writes to the areas tables (the loader may run meanwhile)."""
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0), "
                    "(SELECT max(id) FROM areas_settlement), "
                    "(SELECT max(id) FROM areas_adminarea), "
                    "(SELECT id FROM areas_boundarygeneration WHERE is_current) "
                    "FROM pg_stat_user_tables WHERE relname LIKE 'areas\\_%%'")
        return tuple(cur.fetchone())


# --- the portal's own statements ---------------------------------------------------------


def _tile_request(slug: str, z: int):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get(f"/tiles/{slug}/{z}/0/0.mvt")
    request.user = AnonymousUser()
    return request


def tile_sql(slug: str, z: int) -> tuple[str, tuple]:
    """(statement, inner parameters) our tile view runs for an anonymous request at zoom z."""
    from layers.core.registry import layer_registry
    from tiles.sql import tile_statement

    layer = layer_registry.get(slug)
    statement, inner_params = tile_statement(layer, _tile_request(slug, z), z)
    for value in inner_params:
        if not isinstance(value, bool | int | float | str):
            raise TypeError(f"tile parameter {value!r} of {slug} needs Django's adaptation")
    return statement, tuple(inner_params)


def current_oblasts(conn) -> list[str]:
    """KATO codes of the current generation's oblasts with a boundary, in order."""
    with conn.cursor() as cursor:
        cursor.execute("""SELECT a.kato FROM areas_adminarea a JOIN areas_boundarygeneration g
                          ON g.id = a.generation_id AND g.is_current
                          WHERE a.level = 'oblast' AND a.geom IS NOT NULL ORDER BY a.kato""")
        return [row[0] for row in cursor.fetchall()]


def sql_and_http(ctx, raw_name: str, ours_name: str, note: str) -> list:
    """The two contenders of a layer scenario: the raw statement over psycopg, the portal
    over HTTP."""
    from .load import Contender

    return [Contender(raw_name, "sql", ctx.raw_call, note=note),
            Contender(ours_name, "http", ctx.portal_call, ctx.portal_pids)]


def _api_request(path: str, params: dict):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get(path, params)
    request.user = AnonymousUser()
    return request


def plain_params(params) -> tuple:
    """Parameters a plain psycopg connection can send: a geometry as hex EWKB text (PostGIS
    reads it as geometry; psycopg has no dumper for Django's PostGISAdapter)."""
    def plain(value):
        ewkb = getattr(value, "ewkb", None)
        return bytes(ewkb).hex() if ewkb is not None else value
    return tuple(plain(value) for value in params)


def list_sql(slug: str, params: dict, language: str = "en") -> tuple[str, tuple]:
    """(statement, parameters) the GeoJSON list view runs for an anonymous request with these
    parameters (LayerQuery.list_statement, the first page)."""
    from django.conf import settings
    from django.utils import translation

    from layers.core.query import LayerQuery
    from layers.core.registry import layer_registry

    layer = layer_registry.get(slug)
    limit = int(params.get("limit", settings.GEOJSON_DEFAULT_LIMIT))
    with translation.override(language):
        query = LayerQuery(layer, _api_request(f"/api/layers/{slug}/", params))
        statement = query.list_statement(limit, with_cursor=False)
    # A box's or a point's values are bound per request, as the view binds them.
    return statement.sql, plain_params(statement.bind(**query.geometric_values()))


def stats_sql(slug: str, params: dict, level: str) -> tuple[str, tuple]:
    """(statement, parameters) the stats view runs for a public layer (LayerQuery.
    stats_statement: the GROUP BY joined to the areas' names)."""
    from django.http import QueryDict

    from layers.core.query import LayerQuery
    from layers.core.registry import layer_registry

    layer = layer_registry.get(slug)
    request = _api_request(f"/api/layers/{slug}/stats", {**params, "level": level})
    query_params = QueryDict(mutable=True)
    query_params.update(params)
    query = LayerQuery(layer, request)
    statement = query.stats_statement(level, query_params)
    return statement.sql, plain_params(statement.bind(**query.geometric_values(query_params)))


def tile_args(slug: str, inner_params: tuple, z: int, x: int, y: int) -> tuple:
    """Parameters in the order tiles.sql.render_tile passes them."""
    return (slug, z, x, y, *inner_params, z, x, y)


def tile_items(slug: str, tiles: list[tuple[int, int, int]]) -> tuple[list, list]:
    """A layer's tile list as the raw contender's items (the statement the tile view runs at
    each zoom, with its parameters) and as the portal's paths, in the same order."""
    statements = {z: tile_sql(slug, z) for z in sorted({z for z, _, _ in tiles})}
    raw = [(statements[z][0], tile_args(slug, statements[z][1], z, x, y), "scalar")
           for z, x, y in tiles]
    return raw, [f"/tiles/{slug}/{z}/{x}/{y}.mvt" for z, x, y in tiles]


def layer_info(slug: str) -> dict:
    from layers.core.registry import layer_registry

    layer = layer_registry.get(slug)
    return {"slug": slug, "min_zoom": layer.min_zoom, "max_zoom": layer.max_zoom,
            "tile_fields": list(layer.tile_fields),
            "geometry_by_zoom": {z: layer.geometry_for_zoom(z) for z in range(3, 15)}}


def lookup_sql() -> str:
    """The statement the lookup view runs (it resolves the current generation itself)."""
    from layers.areas.api import LOOKUP_SQL

    return LOOKUP_SQL


def tile_settings() -> dict:
    from django.conf import settings

    return {"extent": settings.TILE_EXTENT, "buffer": settings.TILE_BUFFER,
            "max_features": settings.TILE_MAX_FEATURES, "srid": settings.SRID,
            "tile_srid": settings.TILE_SRID, "language": settings.LANGUAGE_CODE}


# --- views for TiPg: our tile rows and columns, compiled by the same ORM code ---------------


def _view_select(slug: str, geometry_columns: tuple[str, ...]) -> tuple[str, tuple]:
    from django.db.models import F

    from layers.core.query import LayerQuery
    from layers.core.registry import layer_registry

    layer = layer_registry.get(slug)
    queryset = LayerQuery(layer, _tile_request(slug, 10)).filtered()
    properties = layer.tile_properties()
    columns = {"_tile_id": F("pk")}
    columns.update({f"_p_{name}": F(expr) if isinstance(expr, str) else expr
                    for name, expr in properties.items()})
    columns.update({f"_g_{name}": F(name) for name in geometry_columns})
    inner_sql, params = queryset.order_by().values(**columns).query.sql_with_params()
    select = ", ".join(["t._tile_id AS id"]
                       + [f't."_p_{name}" AS "{name}"' for name in properties]
                       + [f't."_g_{name}" AS "{name}"' for name in geometry_columns])
    return f"SELECT {select} FROM ({inner_sql}) t", tuple(params)


def view_geometry_columns(slug: str) -> tuple[str, ...]:
    from layers.core.registry import layer_registry

    layer = layer_registry.get(slug)
    return tuple(dict.fromkeys(layer.geometry_for_zoom(z) for z in range(0, 23)))


def create_views(conn) -> dict[str, str]:
    """bench.<slug> views: exactly our tile rows (visibility rule) and tile columns."""
    definitions = {}
    with conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {VIEW_SCHEMA}")
        for slug in LAYER_SLUGS:
            sql, params = _view_select(slug, view_geometry_columns(slug))
            body = cur.mogrify(sql, params)
            cur.execute(f"DROP VIEW IF EXISTS {VIEW_SCHEMA}.{slug}")
            cur.execute(f"CREATE VIEW {VIEW_SCHEMA}.{slug} AS {body}")
            definitions[slug] = body
    return definitions


def drop_views(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {VIEW_SCHEMA} CASCADE")


# --- the same work through the portal's functions, in this process (--profile breakdown) ----


def django_tile_calls(slug: str, tiles: list[tuple[int, int, int]]) -> list:
    from layers.core.registry import layer_registry
    from tiles.sql import render_tile

    layer = layer_registry.get(slug)
    requests = [_tile_request(slug, z) for z, _, _ in tiles]
    return [lambda z=z, x=x, y=y, r=r: render_tile(layer, r, z, x, y)
            for (z, x, y), r in zip(tiles, requests, strict=True)]


def django_lookup_calls(points: list[tuple[float, float, str]]) -> list:
    from django.db import connection

    statement = lookup_sql()

    def call(lon: float, lat: float) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, {"lon": lon, "lat": lat, "code": None})
            cursor.fetchall()

    return [lambda lon=lon, lat=lat: call(lon, lat) for lon, lat, _ in points]
