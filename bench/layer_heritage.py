"""Monuments and natural sites in the bench.

Volume: 30,000 synthetic monuments (dataset "synthetic-bench", names "Synthetic monument N")
at settlements all over the country, a few hundred metres off their village and tied to it,
and 3,000 synthetic natural sites (points, "Synthetic natural site N"). Areas are tagged
through layers.core.tagging (from the settlement's KATO code).

Scenarios, each the portal over HTTP against the very statement its view runs, on a
persistent psycopg connection; target: p50 within 2 ms of raw SQL.
  near:monuments    "within 25 km of me" GeoJSON lists around settlements, by distance
  stats:monuments   per-oblast and per-district counts (the choropleth) of one category
"""

SYNTHETIC_DATASET = "synthetic-bench"
SYNTHETIC_MONUMENTS = 30_000
SYNTHETIC_SITES = 3_000
TARGET = ("delta_p50_ms", 2.0)
LIST_LIMIT = 50
NEAR_KM = 25
CATEGORIES = ("archaeology", "architecture", "monumental_art", "memorial")


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table} t JOIN heritage_dataset d "  # noqa: S608
                   "ON d.id = t.dataset_id WHERE d.code = %s", [SYNTHETIC_DATASET])
    return cursor.fetchone()[0]


def ensure_volume(conn) -> dict:
    from layers.core.tagging import tag_rows
    from layers.heritage.models import Monument, NaturalSite

    with conn.cursor() as cursor:
        cursor.execute(
            """INSERT INTO heritage_dataset (code, title, licence, attribution, url, note)
               VALUES (%s, 'Synthetic bench volume', 'none', 'synthetic rows', '', '')
               ON CONFLICT (code) DO NOTHING""", [SYNTHETIC_DATASET])
        cursor.execute("SELECT id FROM heritage_dataset WHERE code = %s", [SYNTHETIC_DATASET])
        dataset_id = cursor.fetchone()[0]
        villages = """
            WITH villages AS (
                SELECT s.id, s.kato, s.geom, row_number() OVER (ORDER BY md5(s.kato)) - 1 AS i,
                       count(*) OVER () AS total
                FROM areas_settlement s WHERE s.geom IS NOT NULL)
        """
        common_columns = """name_kk, name_ru, name_en, description_kk, description_ru,
            description_en, visiting_kk, visiting_ru, visiting_en, significance,
            register_number, source_key, dataset_id, position_approximate, position_note,
            settlement_id, settlement_kato, is_published, created_at, updated_at"""
        present = _count(cursor, "heritage_monument")
        if present < SYNTHETIC_MONUMENTS:
            cursor.execute(villages + f"""
                INSERT INTO heritage_monument ({common_columns}, kind, era, protection_status,
                    condition, geom)
                SELECT 'Synthetic monument ' || n, 'Synthetic monument ' || n,
                       'Synthetic monument ' || n, '', '', '', '', '', '',
                       (ARRAY['local','local','local','republican'])[1 + n %% 4],
                       'SYN-' || n, %(dataset)s || ':' || n, %(dataset_id)s, n %% 3 = 0, '',
                       v.id, v.kato, true, now(), now(),
                       (ARRAY['archaeology','architecture','monumental_art','memorial'])
                           [1 + n %% 4],
                       (ARRAY['ancient','medieval','khanate','imperial','soviet'])[1 + n %% 5],
                       'not_listed', 'unknown',
                       ST_Translate(v.geom, ((n * 7919) %% 100 - 50) / 20000.0,
                                    ((n * 104729) %% 100 - 50) / 20000.0)
                FROM generate_series(%(from)s::bigint, %(count)s - 1) n
                JOIN villages v ON v.i = n %% v.total
                """, {"from": present, "count": SYNTHETIC_MONUMENTS,
                      "dataset": SYNTHETIC_DATASET, "dataset_id": dataset_id})
            tag_rows(Monument, pks=list(Monument.objects.filter(
                dataset_id=dataset_id, oblast__isnull=True).values_list("pk", flat=True)))
            cursor.execute("ANALYZE heritage_monument")
        present = _count(cursor, "heritage_naturalsite")
        if present < SYNTHETIC_SITES:
            cursor.execute(villages + f"""
                INSERT INTO heritage_naturalsite ({common_columns}, kind, geom, point,
                    protected_area_key)
                SELECT 'Synthetic natural site ' || n, 'Synthetic natural site ' || n,
                       'Synthetic natural site ' || n, '', '', '', '', '', '', 'local',
                       '', %(dataset)s || ':' || n, %(dataset_id)s, true, '',
                       NULL, '', true, now(), now(),
                       (ARRAY['recreational','landscape','natural_monument','lake','canyon',
                              'peak'])[1 + n %% 6],
                       ST_Translate(v.geom, 0.05, 0.03), ST_Translate(v.geom, 0.05, 0.03), ''
                FROM generate_series(%(from)s::bigint, %(count)s - 1) n
                JOIN villages v ON v.i = (n * 7) %% v.total
                """, {"from": present, "count": SYNTHETIC_SITES,
                      "dataset": SYNTHETIC_DATASET, "dataset_id": dataset_id})
            tag_rows(NaturalSite, pks=list(NaturalSite.objects.filter(
                dataset_id=dataset_id, oblast__isnull=True).values_list("pk", flat=True)))
            cursor.execute("ANALYZE heritage_naturalsite")
        monuments = _count(cursor, "heritage_monument")
        sites = _count(cursor, "heritage_naturalsite")
        cursor.execute("SELECT count(*) FROM heritage_monument WHERE dataset_id = %s "
                       "AND oblast_id IS NULL", [dataset_id])
        untagged = cursor.fetchone()[0]
    return {"synthetic_monuments": monuments, "synthetic_natural_sites": sites,
            "untagged": untagged}


def list_statement(params: dict) -> tuple[str, tuple]:
    """The statement /api/layers/monuments/ runs for these parameters, in English."""
    from bench.portal import list_sql

    return list_sql("monuments", {"limit": str(LIST_LIMIT), **params})


def stats_statement(params: dict, level: str) -> tuple[str, tuple]:
    """The statement the monuments' choropleth stats run (the GROUP BY, named areas)."""
    from bench.portal import stats_sql

    return stats_sql("monuments", params, level)


def _settlement_points(conn, count: int = 40) -> list[tuple[float, float]]:
    with conn.cursor() as cursor:
        cursor.execute("""SELECT ST_X(geom), ST_Y(geom) FROM areas_settlement
                          WHERE geom IS NOT NULL ORDER BY md5(kato) LIMIT %s""", [count])
        return cursor.fetchall()


def scenarios(ctx):
    from urllib.parse import urlencode

    from bench.portal import sql_and_http

    def pair(raw_name, ours_name, note):
        return sql_and_http(ctx, raw_name, ours_name, note)

    def build_near():
        contenders = pair("raw near SQL (monuments)", "portal /api/layers/monuments/?near=",
                          "LayerListView's statement via psycopg")
        raw_items, http_items = [], []
        for n, (lon, lat) in enumerate(_settlement_points(ctx.monitor)):
            params = {"near": f"{lon:.5f},{lat:.5f}", "within": str(NEAR_KM),
                      "limit": str(LIST_LIMIT)}
            if n % 2:
                params["category"] = CATEGORIES[n % len(CATEGORIES)]
            raw_items.append((*list_statement(params), "rows"))
            http_items.append(f"/api/layers/monuments/?{urlencode(params)}&lang=en")
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": TARGET}

    def build_stats():
        contenders = pair("raw stats SQL (monuments)", "portal /api/layers/monuments/stats",
                          "Layer.stats' GROUP BY via psycopg")
        raw_items, http_items = [], []
        for level in ("oblast", "district"):
            for category in CATEGORIES:
                raw_items.append((*stats_statement({"category": category}, level), "rows"))
                http_items.append(f"/api/layers/monuments/stats?level={level}"
                                  f"&category={category}")
        raw_items *= 5
        http_items *= 5
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": TARGET}

    return [("near:monuments", build_near), ("stats:monuments", build_stats)]
