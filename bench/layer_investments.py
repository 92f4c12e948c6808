"""Investment projects in the bench.

Volume: employment indicators (source "SYNTHETIC bench volume", flagged as sample values)
for every rural settlement of the reference data (every areas_settlement row that is not a
town, kind "г."), one year each, unemployment between 1 % and 35 %; and 20,000 synthetic
investment projects ("Synthetic investment project N", reference "bench-N", responsible
official "Synthetic official N" at a qualifying position) at three in five of those
settlements, a few hundred metres off their village, over every sector and status. Each
project carries its settlement's indicator (actions.refresh_project_employment's copy,
written here in one UPDATE). Areas are tagged through layers.core.tagging (from the
settlement's KATO code).

Scenarios, each the portal over HTTP against the very statement its view runs, on a
persistent psycopg connection; target: p50 within 2 ms of raw SQL.
  tiles:investments   the bench's tile list
  list:investments    GeoJSON lists of one oblast, one sector, ordered by investment, jobs or
                      unemployment
  stats:investments   per-oblast and per-district stats (count, total investment, jobs) of one
                      sector
  gaps:investments    the planner's gaps (low-employment settlements with no project within
                      N km) of several oblasts and radii: /api/investments/gaps/ against
                      layers.investments.gaps.gap_sql
"""

from psycopg.pq import TransactionStatus

SYNTHETIC_SOURCE = "SYNTHETIC bench volume"
SYNTHETIC_YEAR = 2025
# Key (hashed) of the advisory lock that lets one bench run at a time build the volume.
VOLUME_LOCK = "bench:layer_investments volume"
SYNTHETIC_PROJECTS = 20_000
TARGET = ("delta_p50_ms", 2.0)
LIST_LIMIT = 100
SECTORS = ("agriculture", "food_processing", "manufacturing", "tourism", "energy", "crafts")
ORDERINGS = ("-investment", "jobs", "-unemployment_rate")
GAP_RADII_KM = (5, 10, 25)
GAP_MIN_RATES = (10, 20)
# Towns are not rural settlements: the KATO classifier's kind "г.".
RURAL = "s.kind <> 'г.'"
# The synthetic projects: reference "bench-N", responsible official "Synthetic official N".
REFERENCE_LIKE = "bench-%"
OFFICIAL_LIKE = "Synthetic official %"


def _count_projects(cursor) -> int:
    cursor.execute("SELECT count(*) FROM investments_investmentproject "
                   "WHERE reference LIKE %s AND responsible_name LIKE %s",
                   [REFERENCE_LIKE, OFFICIAL_LIKE])
    return cursor.fetchone()[0]


def _count_employment(cursor) -> int:
    cursor.execute("SELECT count(*) FROM investments_settlementemployment WHERE source = %s",
                   [SYNTHETIC_SOURCE])
    return cursor.fetchone()[0]


def ensure_volume(conn) -> dict:
    """Idempotent. Bench runs started side by side each ensure every volume: one build at a
    time (a session advisory lock), so a second run counts the first one's rows instead of
    inserting its own copy."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [VOLUME_LOCK])
    try:
        return _ensure_volume(conn)
    finally:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [VOLUME_LOCK])


def _ensure_volume(conn) -> dict:
    from layers.core.tagging import tag_rows
    from layers.investments.models import InvestmentProject

    with conn.cursor() as cursor:
        # One indicator per rural settlement (ON CONFLICT: a settlement that already has a
        # row for the year keeps it, so a second run adds nothing).
        cursor.execute(
            f"""
            INSERT INTO investments_settlementemployment (settlement_id, year,
                working_age_population, employed, unemployed, unemployment_rate, source,
                is_sample, imported_at)
            SELECT s.id, %(year)s, w.population, w.population - w.unemployed, w.unemployed,
                   round(100.0 * w.unemployed / w.population, 2), %(source)s, true, now()
            FROM areas_settlement s
            CROSS JOIN LATERAL (
                SELECT 50 + coalesce(s.population, 400) * 6 / 10 AS population,
                       -- 1 to 35 per cent, a fixed pseudo-random share per settlement
                       (50 + coalesce(s.population, 400) * 6 / 10)
                         * (1 + ('x' || substr(md5(s.kato), 1, 4))::bit(16)::int %% 35)
                         / 100 AS unemployed) w
            WHERE {RURAL}
            ON CONFLICT (settlement_id, year) DO NOTHING
            """, {"year": SYNTHETIC_YEAR, "source": SYNTHETIC_SOURCE})
        present = _count_projects(cursor)
        if present < SYNTHETIC_PROJECTS:
            cursor.execute("BEGIN")
            # Three in five rural settlements with a point (a shuffled but fixed choice) get
            # projects, used again and again until the count is reached; the others are
            # where the planner's gaps can be.
            cursor.execute(
                f"""
                WITH villages AS (
                    SELECT s.id, s.kato, s.geom, row_number() OVER (ORDER BY md5(s.kato)) - 1 AS i,
                           count(*) OVER () AS total
                    FROM areas_settlement s
                    WHERE s.geom IS NOT NULL AND {RURAL}
                      AND ('x' || substr(md5('bench' || s.kato), 1, 4))::bit(16)::int %% 5 < 3
                )
                INSERT INTO investments_investmentproject (
                    title_kk, title_ru, title_en, description_kk, description_ru,
                    description_en, sector, investment_needed, jobs_created, status,
                    settlement_id, settlement_kato, geom, responsible_name,
                    responsible_position, reference, created_at, updated_at)
                SELECT 'Synthetic investment project ' || n, 'Synthetic investment project ' || n,
                       'Synthetic investment project ' || n, '', '', '',
                       (ARRAY['agriculture','food_processing','manufacturing',
                              'construction_materials','tourism','trade_services','logistics',
                              'energy','crafts','digital'])[1 + n %% 10],
                       (5000000 + (n * 7907) %% 995000000)::numeric(14, 2),
                       1 + (n * 6271) %% 120,
                       (ARRAY['proposed','seeking_investor','seeking_investor','investor_found',
                              'in_progress','completed','cancelled'])[1 + (n / 10) %% 7],
                       v.id, v.kato,
                       ST_Translate(v.geom, ((n * 7919) %% 100 - 50) / 20000.0,
                                    ((n * 104729) %% 100 - 50) / 20000.0),
                       'Synthetic official ' || n,
                       (ARRAY['head_of_department','akim_of_town','deputy_akim_of_district',
                              'akim_of_district','deputy_akim_of_oblast',
                              'akim_of_oblast'])[1 + (n / 3) %% 6],
                       'bench-' || n,
                       now() - make_interval(days => n %% 730, secs => n %% 86400), now()
                FROM generate_series(%(from)s::int, %(count)s - 1) n
                JOIN villages v ON v.i = n %% v.total
                ORDER BY n
                """, {"from": present, "count": SYNTHETIC_PROJECTS})
            # The settlement's latest indicator on each project (what
            # actions.refresh_project_employment writes after an import).
            cursor.execute(
                """
                UPDATE investments_investmentproject p SET
                  unemployment_rate = e.unemployment_rate::float8, employment_year = e.year,
                  employment_is_sample = e.is_sample
                FROM (SELECT DISTINCT ON (settlement_id) settlement_id, unemployment_rate,
                             year, is_sample
                      FROM investments_settlementemployment
                      ORDER BY settlement_id, year DESC) e
                WHERE e.settlement_id = p.settlement_id AND p.reference LIKE %s
                  AND p.responsible_name LIKE %s
                """, [REFERENCE_LIKE, OFFICIAL_LIKE])
            cursor.execute("COMMIT")
            pks = list(InvestmentProject.objects.filter(reference__startswith="bench-",
                                                        responsible_name__startswith="Synthetic ",
                                                        oblast__isnull=True)
                       .values_list("pk", flat=True))
            tag_rows(InvestmentProject, pks=pks)
            cursor.execute("ANALYZE investments_investmentproject")
            cursor.execute("ANALYZE investments_settlementemployment")
        projects = _count_projects(cursor)
        employment = _count_employment(cursor)
        cursor.execute("SELECT count(*) FROM investments_investmentproject "
                       "WHERE reference LIKE %s AND responsible_name LIKE %s "
                       "AND oblast_id IS NULL", [REFERENCE_LIKE, OFFICIAL_LIKE])
        untagged = cursor.fetchone()[0]
    return {"synthetic_investment_projects": projects,
            "synthetic_employment_indicators": employment, "untagged": untagged}


def list_statement(params: dict) -> tuple[str, tuple]:
    """The statement /api/layers/investments/ runs for these parameters, in English."""
    from bench.portal import list_sql

    return list_sql("investments", params)


def stats_statement(params: dict, level: str) -> tuple[str, tuple]:
    """The statement /api/layers/investments/stats runs (the GROUP BY of count, total
    investment and jobs per area, named areas)."""
    from bench.portal import stats_sql

    return stats_sql("investments", params, level)


def gap_statement(params: dict) -> tuple[str, dict]:
    """The statement find_gaps runs for /api/investments/gaps/ with these parameters."""
    from layers.investments import gaps

    return gaps.gap_sql(gaps.parse_gap_query(params))



def scenarios(ctx):
    from urllib.parse import urlencode

    from bench import portal
    from bench.portal import current_oblasts, sql_and_http

    def pair(raw_name, ours_name, note):
        return sql_and_http(ctx, raw_name, ours_name, note)

    def build_tiles():
        contenders = pair("raw ST_AsMVT (investments)", "portal /tiles/investments",
                          "tiles.sql.tile_statement via psycopg")
        raw_items, http_items = portal.tile_items("investments", ctx.tiles)
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "zooms": [z for z, _, _ in ctx.tiles], "target": TARGET}

    def build_list():
        contenders = pair("raw list SQL (investments)", "portal /api/layers/investments/",
                          "LayerQuery.list_statement via psycopg")
        raw_items, http_items = [], []
        for n, kato in enumerate(current_oblasts(ctx.monitor)):
            for k in range(3):
                params = {"area": kato, "sector": SECTORS[(n + k) % len(SECTORS)],
                          "limit": str(LIST_LIMIT),
                          "ordering": ORDERINGS[(n + k) % len(ORDERINGS)]}
                raw_items.append((*list_statement(params), "rows"))
                http_items.append(f"/api/layers/investments/?{urlencode(params)}&lang=en")
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": TARGET}

    def build_stats():
        contenders = pair("raw stats SQL (investments)",
                          "portal /api/layers/investments/stats",
                          "LayerQuery.stats_statement via psycopg")
        raw_items, http_items = [], []
        for level in ("oblast", "district"):
            for sector in SECTORS:
                raw_items.append((*stats_statement({"sector": sector}, level), "rows"))
                http_items.append(f"/api/layers/investments/stats?level={level}"
                                  f"&sector={sector}")
        raw_items *= 4
        http_items *= 4
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": TARGET}

    def build_gaps():
        contenders = pair("raw GAP_SQL (investments)", "portal /api/investments/gaps/",
                          "layers.investments.gaps.gap_sql via psycopg")
        raw_items, http_items = [], []
        for n, kato in enumerate(current_oblasts(ctx.monitor)):
            for r, within_km in enumerate(GAP_RADII_KM):
                params = {"area": kato, "within_km": str(within_km),
                          "min_rate": str(GAP_MIN_RATES[(n + r) % len(GAP_MIN_RATES)])}
                raw_items.append((*gap_statement(params), "rows"))
                http_items.append(f"/api/investments/gaps/?{urlencode(params)}&lang=en")
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": TARGET}

    return [("tiles:investments", build_tiles), ("list:investments", build_list),
            ("stats:investments", build_stats), ("gaps:investments", build_gaps)]
