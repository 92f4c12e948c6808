"""People who need help in the bench.

Volume: 1,000,000 synthetic help requests (description "SYNTHETIC bench volume", no personal
data at all: name, phone, address and exact position stay NULL) spread over every settlement
with a point, 150–600 m off it like the real coarsened points, with every topic, kind, age
band, family situation and status. Areas come from the settlement's KATO code by the rules of
layers.core.tagging (computed once per settlement in SQL: tag_rows over a million rows would
run the polygon test a million times for tags the code overrides anyway).

Scenarios, each the portal over HTTP against the very statement its view runs on a
persistent psycopg connection:
  tiles:help   z4–z14 tiles over the densest places and the whole country at z4–z5
  tiles:help-other-filters  the same tiles at z4–z9 with the list's family situation and
               publication-date filters
  list:help    GeoJSON lists filtered as the programme lists (area, topic, kind, family,
               age, date), target p50 within 2 ms of raw SQL
  stats:help   per-okrug stats (private: suppressed), target ≤ 1.3× the raw GROUP BY over
               the rows; the portal answers an anonymous visitor from help_helpstatcell (the
               same cells, kept by the trigger), checked equal to that GROUP BY first

Low zooms (z <= 9) are counted from help_helpstatcell and help_helpchainbitmap, the per-chain
positions and bitmaps a trigger keeps current; the bulk insert here disables that trigger and
rebuilds both once (rebuild_help_area_counts()). Tiles are asked unfiltered and with the list's
filters (topic, kind, age; family situation; publication date); the raw contender runs the very
statement the portal runs at each zoom (aggregate or points). extra() reports bytes per tile
and the slowest/largest tile.
"""

import math

SYNTHETIC_DESCRIPTION = "SYNTHETIC bench volume"
SYNTHETIC_REQUESTS = 1_000_000
LIST_TARGET = ("delta_p50_ms", 2.0)
STATS_TARGET = ("ratio_p50", 1.3)
TILE_TARGET = ("p95_ms", 50.0)
LIST_LIMIT = 100
TOPICS = ("material", "consultative", "labour", "other")
KINDS = ("treatment", "medicines", "repairs", "clothing", "firewood", "food", "school",
         "legal", "household", "transport")
FAMILY = ("disabled", "single_mother", "large_family", "lonely_pensioner", "low_income",
          "orphan", "veteran")
AGE_BANDS = ("0-17", "18-34", "35-59", "60-74", "75+")
TILES_PER_ZOOM = 12


def _count(cursor) -> int:
    cursor.execute("SELECT count(*) FROM help_helprequest WHERE description = %s",
                   [SYNTHETIC_DESCRIPTION])
    return cursor.fetchone()[0]


def ensure_volume(conn, count: int = SYNTHETIC_REQUESTS) -> dict:
    with conn.cursor() as cursor:
        present = _count(cursor)
        if present < count:
            cursor.execute("BEGIN")
            # One recount after the load instead of three upserts per inserted row.
            cursor.execute("ALTER TABLE help_helprequest DISABLE TRIGGER help_area_count_sync")
            cursor.execute(
                """
                CREATE TEMP TABLE bench_help_places ON COMMIT DROP AS
                WITH current_area AS (
                    SELECT a.id, a.kato, a.level FROM areas_adminarea a
                    JOIN areas_boundarygeneration g ON g.id = a.generation_id AND g.is_current
                ), villages AS (
                    SELECT s.id, s.kato, s.geom,
                           row_number() OVER (ORDER BY md5(s.kato)) - 1 AS i
                    FROM areas_settlement s WHERE s.geom IS NOT NULL
                )
                SELECT v.*, count(*) OVER () AS total,
                  (SELECT id FROM current_area WHERE level = 'okrug'
                     AND kato = left(v.kato, 6) || '000') AS okrug_id,
                  (SELECT id FROM current_area WHERE level = 'district'
                     AND kato IN (left(v.kato, 4) || '00000', left(v.kato, 6) || '000')
                     ORDER BY kato DESC LIMIT 1) AS district_id,
                  (SELECT id FROM current_area WHERE level = 'oblast'
                     AND kato = left(v.kato, 2) || '0000000') AS oblast_id
                FROM villages v
                """)
            cursor.execute("CREATE INDEX ON bench_help_places (i)")
            # Without statistics on the temp table the planner loops over it for every row.
            cursor.execute("ANALYZE bench_help_places")
            cursor.execute("SELECT count(*) FROM bench_help_places")
            places = cursor.fetchone()[0]
            cursor.execute(
                """
                INSERT INTO help_helprequest (
                    uid, topic, kind_id, family_tags, age_band, published_on, status,
                    amount_needed, amount_pledged, description, settlement_id, settlement_kato,
                    geom, helpers_asked, consent_at, consent_method, is_published, created_at,
                    updated_at, oblast_id, district_id, okrug_id)
                SELECT md5('help-bench-' || n)::uuid,
                       (%(topics)s::text[])[1 + n %% 4],
                       (%(kinds)s::text[])[1 + (n / 4) %% 10],
                       CASE WHEN n %% 5 = 0 THEN ARRAY[]::text[]
                            WHEN n %% 5 = 1 THEN ARRAY[(%(family)s::text[])[1 + n %% 7]]
                            ELSE ARRAY[(%(family)s::text[])[1 + n %% 7],
                                       (%(family)s::text[])[1 + (n / 7 + 3) %% 7]] END,
                       (%(bands)s::text[])[1 + (n / 40) %% 5],
                       current_date - (n %% 730)::int,
                       CASE WHEN n %% 10 < 8 THEN 'open' ELSE 'helping' END,
                       CASE WHEN n %% 4 = 0 THEN (10000 + (n * 7907) %% 490000)::numeric END,
                       0, %(description)s, p.id, p.kato,
                       ST_Project(p.geom::geography,
                                  150 + (abs(hashint8(n)) %% 450),
                                  radians(abs(hashint8(n + 1)) %% 360))::geometry,
                       0, now(), 'written', true, now(), now(),
                       p.oblast_id, p.district_id, p.okrug_id
                FROM generate_series(%(from)s::bigint, %(count)s - 1) n
                JOIN bench_help_places p ON p.i = n %% %(places)s
                """, {"places": places, "topics": list(TOPICS), "kinds": list(KINDS), "family": list(FAMILY),
                      "bands": list(AGE_BANDS), "description": SYNTHETIC_DESCRIPTION,
                      "from": present, "count": count})
            cursor.execute("SELECT rebuild_help_area_counts()")
            cursor.execute("ALTER TABLE help_helprequest ENABLE TRIGGER help_area_count_sync")
            cursor.execute("COMMIT")
            cursor.execute("ANALYZE help_helprequest")
            cursor.execute("ANALYZE help_helpstatcell")
            cursor.execute("ANALYZE help_helpchainbitmap")
        total = _count(cursor)
        cursor.execute("SELECT count(*) FROM help_helprequest WHERE description = %s "
                       "AND oblast_id IS NULL", [SYNTHETIC_DESCRIPTION])
        untagged = cursor.fetchone()[0]
        cursor.execute("SELECT count(*), count(DISTINCT cell_id) FROM help_helpchainbitmap")
        bitmaps, chains = cursor.fetchone()
        cursor.execute("SELECT count(*), coalesce(sum(count), 0) FROM help_helpstatcell "
                       "WHERE count > 0")
        stat_cells, stat_counted = cursor.fetchone()
    return {"synthetic_help_requests": total, "untagged": untagged,
            "low_zoom_bitmaps": bitmaps, "chains_with_bitmaps": chains,
            "stat_cells": stat_cells, "requests_in_stat_cells": stat_counted}


def _request(path: str, params: dict):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get(path, params)
    request.user = AnonymousUser()
    return request


def list_statement(params: dict) -> tuple[str, tuple]:
    """The statement /api/layers/help-requests/ runs for these parameters, in English."""
    from bench.portal import list_sql

    return list_sql("help-requests", {"limit": str(LIST_LIMIT), **params})


def stats_statement() -> tuple[str, tuple]:
    """The GROUP BY over every row an anonymous visitor sees: what private_stats groups when
    a layer keeps no cells (the baseline the stats are measured against)."""
    from django.db.models import Count, Sum

    from layers.core.registry import layer_registry

    layer = layer_registry.get("help-requests")
    queryset = layer.visible_queryset(_request("/api/layers/help-requests/stats", {}))
    sql, sql_params = (queryset.order_by().values("oblast_id", "district_id", "okrug_id")
                       .annotate(_count=Count("pk"), _sum=Sum("amount_needed"))
                       .query.sql_with_params())
    return sql, tuple(sql_params)


def check_stat_cells(conn, sql: str, params: tuple) -> None:
    """The portal's stats read help_helpstatcell: make sure it holds exactly the cells of the
    GROUP BY it stands for, or the figures would compare two different answers."""
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        grouped = sorted((o or 0, d or 0, k or 0, n, s or 0) for o, d, k, n, s in cursor)
        cursor.execute("SELECT oblast_id, district_id, okrug_id, count, amount_needed "
                       "FROM help_helpstatcell WHERE count > 0")
        kept = sorted((o or 0, d or 0, k or 0, n, s) for o, d, k, n, s in cursor)
    if grouped != kept:
        raise RuntimeError("help_helpstatcell differs from the GROUP BY of the public "
                           "requests: run SELECT rebuild_help_area_counts() on the bench DB")


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def help_tiles(conn) -> list[tuple[int, int, int]]:
    """z4–z14: at each zoom the tiles over the settlements with most requests (the densest
    tiles), plus every z4/z5 tile over Kazakhstan."""
    with conn.cursor() as cursor:
        cursor.execute(
            """SELECT ST_X(s.geom), ST_Y(s.geom) FROM areas_settlement s
               WHERE s.geom IS NOT NULL ORDER BY s.population DESC NULLS LAST LIMIT 200""")
        places = cursor.fetchall()
    tiles = []
    for z in range(4, 15):
        chosen = []
        for lon, lat in places:
            tile = _tile_of(lon, lat, z)
            if tile not in chosen:
                chosen.append(tile)
            if len(chosen) >= TILES_PER_ZOOM:
                break
        if z <= 5:
            low_x, low_y = _tile_of(46.49, 55.44, z)[1:]
            high_x, high_y = _tile_of(87.32, 40.57, z)[1:]
            chosen = [(z, x, y) for x in range(low_x, high_x + 1)
                      for y in range(low_y, high_y + 1)]
        tiles += chosen
    return tiles


# Tiles are asked without filters and with the topic, kind and age filters.
TILE_FILTERS = ({}, {"topic": "material", "kind": "firewood", "age_from": "60"})
# The list's filters whose counts come from the dates and the family bitmaps.
OTHER_TILE_FILTERS = ({"family": "disabled"}, {"published_after": "2025-06-01"})
OTHER_FILTERS_MAX_ZOOM = 9


def tile_path(query: dict, z: int, x: int, y: int) -> str:
    from urllib.parse import urlencode

    suffix = f"?{urlencode(query)}&lang=en" if query else "?lang=en"
    return f"/tiles/help-requests/{z}/{x}/{y}.mvt{suffix}"


def tile_call(slug: str, query: dict, z: int, x: int, y: int) -> tuple[str, tuple]:
    """(statement, parameters) tiles.sql.render_tile runs for an anonymous request."""
    from django.utils import translation

    from layers.core.registry import layer_registry
    from tiles.sql import _aggregate_query, aggregate_statement, tile_statement

    layer = layer_registry.get(slug)
    request = _request(f"/tiles/{slug}/{z}/{x}/{y}.mvt", {**query, "lang": "en"})
    with translation.override("en"):
        aggregate = _aggregate_query(layer, request, z)
        if aggregate is not None:
            inner_sql, inner_params, names = aggregate
            return (aggregate_statement(layer, inner_sql, names),
                    (z, x, y, slug, z, x, y, *inner_params))
        statement, inner_params = tile_statement(layer, request, z)
        return statement, (slug, z, x, y, *inner_params, z, x, y)


def extra(ctx) -> dict:
    """Bytes per tile over HTTP (one pass over the tile set), and the worst tiles."""
    import time
    import urllib.request

    by_zoom: dict[int, list[int]] = {}
    largest = slowest = (0, "")
    for n, (z, x, y) in enumerate(help_tiles(ctx.monitor)):
        path = tile_path(TILE_FILTERS[n % len(TILE_FILTERS)], z, x, y)
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{ctx.port}{path}") as response:
            size = len(response.read())
        elapsed = (time.perf_counter() - started) * 1000
        by_zoom.setdefault(z, []).append(size)
        largest = max(largest, (size, path))
        slowest = max(slowest, (elapsed, path))
    result = {f"help tile bytes z{z} (median/max)":
              f"{sorted(sizes)[len(sizes) // 2]} / {max(sizes)}"
              for z, sizes in sorted(by_zoom.items())}
    result["help largest tile"] = f"{largest[0]} B {largest[1]}"
    result["help slowest tile (single fetch)"] = f"{slowest[0]:.1f} ms {slowest[1]}"
    result["help tiles over 500 KB"] = sum(size > 500_000 for sizes in by_zoom.values()
                                           for size in sizes)
    return result


def scenarios(ctx):
    from urllib.parse import urlencode

    from bench.portal import current_oblasts, sql_and_http

    def pair(raw_name, ours_name, note):
        return sql_and_http(ctx, raw_name, ours_name, note)

    def tile_scenario(tiles, filters, raw_name, ours_name, note):
        contenders = pair(raw_name, ours_name, note)
        raw_items, http_items, zooms = [], [], []
        for n, (z, x, y) in enumerate(tiles):
            query = filters[n % len(filters)]
            statement, args = tile_call("help-requests", query, z, x, y)
            raw_items.append((statement, args, "scalar"))
            http_items.append(tile_path(query, z, x, y))
            zooms.append(z)
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "zooms": zooms, "target": TILE_TARGET}

    def build_tiles():
        return tile_scenario(help_tiles(ctx.monitor), TILE_FILTERS,
                             "raw tile SQL (help-requests)", "portal /tiles/help-requests",
                             "the statement tiles.sql.render_tile runs, via psycopg")

    def build_other_filter_tiles():
        tiles = [tile for tile in help_tiles(ctx.monitor) if tile[0] <= OTHER_FILTERS_MAX_ZOOM]
        return tile_scenario(tiles, OTHER_TILE_FILTERS,
                             "raw tile SQL (help-requests, other filters)",
                             "portal /tiles/help-requests (other filters)",
                             "family situation and publication date, z4-z9")

    def build_list():

        contenders = pair("raw list SQL (help)", "portal /api/layers/help-requests/",
                          "LayerListView's statement via psycopg")
        raw_items, http_items = [], []
        for n, kato in enumerate(current_oblasts(ctx.monitor)):
            for k, kind in enumerate(KINDS[:4]):
                params = {"area": kato, "kind": kind, "topic": TOPICS[(n + k) % 4],
                          "family": FAMILY[(n + k) % len(FAMILY)], "age_from": "60",
                          "published_after": "2025-01-01", "limit": str(LIST_LIMIT),
                          "ordering": "-published_on" if (n + k) % 2 else "age_band"}
                raw_items.append((*list_statement(params), "rows"))
                http_items.append(f"/api/layers/help-requests/?{urlencode(params, doseq=True)}"
                                  f"&lang=en")
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": LIST_TARGET}

    def build_stats():
        contenders = pair("raw GROUP BY (help)", "portal /api/layers/help-requests/stats",
                          "the GROUP BY over the public rows via psycopg; the portal reads "
                          "the same cells from help_helpstatcell and suppresses")
        sql, params = stats_statement()
        check_stat_cells(ctx.monitor, sql, params)
        raw_items = [(sql, params, "rows")] * 10
        http_items = ["/api/layers/help-requests/stats?level=okrug"] * 10
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": STATS_TARGET}

    return [("tiles:help", build_tiles), ("tiles:help-other-filters", build_other_filter_tiles),
            ("list:help", build_list), ("stats:help", build_stats)]
