"""Social projects in the bench.

Volume: 50,000 synthetic projects (organisation "SYNTHETIC bench volume", titles "Synthetic
project N") at settlements all over the country, each with a two-line cost estimate whose
total is its price and a fundraiser with that goal. Seven in ten are raising funds with
nothing pledged yet (bench/layer_funding.py adds its 1,000,000 pledges on top of those), the
others are in progress (some with an overdue report), completed or archived, fully funded.
Areas are tagged through layers.core.tagging (from the settlement's KATO code).

Scenarios, each the portal over HTTP against the very statement its view runs, on a
persistent psycopg connection; target: p50 within 2 ms of raw SQL.
  tiles:projects   the bench's tile list
  list:projects    GeoJSON lists of one oblast, one kind and a percent-funded range
  stats:projects   per-district stats (count, total cost, funded share) of one kind
"""

from psycopg.pq import TransactionStatus

SYNTHETIC_ORGANISATION = "SYNTHETIC bench volume"
# Key (hashed) of the advisory lock that lets one bench run at a time build the volume.
VOLUME_LOCK = "bench:layer_projects volume"
SYNTHETIC_PROJECTS = 50_000
TARGET = ("delta_p50_ms", 2.0)
LIST_LIMIT = 100
KINDS = ("infrastructure", "provision", "targeted_aid", "charity")
PERCENT_RANGES = ((0, 30), (10, 60), (0, 100), (20, 90))


def _count(cursor) -> int:
    cursor.execute("SELECT count(*) FROM projects_socialproject WHERE organisation = %s",
                   [SYNTHETIC_ORGANISATION])
    return cursor.fetchone()[0]


def ensure_volume(conn) -> dict:
    """Idempotent. Bench runs started side by side each ensure every volume: one build at a
    time (a session advisory lock), so a second run counts the first one's projects instead
    of inserting its own copy."""
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
    from layers.projects.models import SocialProject

    with conn.cursor() as cursor:
        present = _count(cursor)
        if present < SYNTHETIC_PROJECTS:
            cursor.execute("BEGIN")
            # Settlements with a point, in a shuffled but fixed order, used again and again
            # until the count is reached; each project a few hundred metres off its village.
            cursor.execute(
                """
                CREATE TEMP TABLE bench_project_rows ON COMMIT DROP AS
                WITH villages AS (
                    SELECT s.id, s.kato, s.geom, row_number() OVER (ORDER BY md5(s.kato)) - 1 AS i,
                           count(*) OVER () AS total
                    FROM areas_settlement s WHERE s.geom IS NOT NULL
                )
                SELECT n::int AS n, v.id AS settlement_id, v.kato,
                       ST_Translate(v.geom, ((n * 7919) %% 100 - 50) / 20000.0,
                                    ((n * 104729) %% 100 - 50) / 20000.0) AS geom,
                       (ARRAY['infrastructure','provision','targeted_aid','charity'])[1 + n %% 4]
                           AS kind,
                       CASE WHEN n %% 10 < 7 THEN 'published' WHEN n %% 10 = 7 THEN 'in_progress'
                            WHEN n %% 10 = 8 THEN 'completed' ELSE 'archived' END AS status,
                       (50000 + (n * 7907) %% 400000)::numeric(14, 2) AS unit_price,
                       (1 + n %% 7)::numeric(12, 3) AS quantity,
                       (20000 + (n * 6271) %% 900000)::numeric(14, 2) AS labour
                FROM generate_series(%(from)s::bigint, %(count)s - 1) n
                JOIN villages v ON v.i = n %% v.total
                """, {"from": present, "count": SYNTHETIC_PROJECTS})
            cursor.execute(
                """
                INSERT INTO projects_socialproject (
                    kind, title_kk, title_ru, title_en, description_kk, description_ru,
                    description_en, organisation, reference, settlement_id, settlement_kato,
                    geom, deadline, report_due, status, moderation_reason, price, pledged,
                    confirmed, beneficiary_name, beneficiary_details, report_note_kk,
                    report_note_ru, report_note_en, report_submitted_at, created_at,
                    updated_at, published_at)
                SELECT kind, 'Synthetic project ' || n, 'Synthetic project ' || n,
                       'Synthetic project ' || n, '', '', '', %(org)s, 'bench-' || n,
                       settlement_id, kato, geom,
                       current_date + n %% 120, current_date + n %% 120 - 60 + n %% 90,
                       status, '', quantity * unit_price + labour,
                       CASE WHEN status = 'published' THEN 0 ELSE quantity * unit_price + labour END,
                       CASE WHEN status = 'published' THEN 0 ELSE quantity * unit_price + labour END,
                       '', '', '', '', '',
                       CASE WHEN status IN ('completed', 'archived') THEN now() END,
                       now() - make_interval(days => n %% 365),
                       now(), now() - make_interval(days => n %% 365, secs => n %% 86400)
                FROM bench_project_rows ORDER BY n
                """, {"org": SYNTHETIC_ORGANISATION})
            cursor.execute(
                """
                INSERT INTO projects_estimateline (project_id, position, name, quantity, unit,
                                                   unit_price, total, spent)
                SELECT p.id, 1, 'Materials', r.quantity, 'set', r.unit_price,
                       r.quantity * r.unit_price, NULL::numeric
                FROM projects_socialproject p JOIN bench_project_rows r
                  ON p.reference = 'bench-' || r.n AND p.organisation = %(org)s
                UNION ALL
                SELECT p.id, 2, 'Labour', 1, 'set', r.labour, r.labour, NULL::numeric
                FROM projects_socialproject p JOIN bench_project_rows r
                  ON p.reference = 'bench-' || r.n AND p.organisation = %(org)s
                """, {"org": SYNTHETIC_ORGANISATION})
            cursor.execute("COMMIT")
            pks = list(SocialProject.objects.filter(organisation=SYNTHETIC_ORGANISATION,
                                                    oblast__isnull=True)
                       .values_list("pk", flat=True))
            tag_rows(SocialProject, pks=pks)
            # Their fundraisers: goal = price, handled by the staff of the finest area;
            # closed once the work has started.
            cursor.execute(
                """
                INSERT INTO funding_fundraiser (content_type_id, object_id, area_id, goal,
                    pledged_total, confirmed_total, is_open, closed_reason, created_at,
                    updated_at)
                SELECT ct.id, p.id, coalesce(p.okrug_id, p.district_id, p.oblast_id), p.price,
                       p.pledged, p.confirmed, p.status = 'published',
                       CASE WHEN p.status = 'published' THEN '' ELSE 'the work has started' END,
                       p.published_at, now()
                FROM projects_socialproject p
                JOIN django_content_type ct ON ct.app_label = 'projects'
                     AND ct.model = 'socialproject'
                WHERE p.organisation = %(org)s AND p.oblast_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM funding_fundraiser f
                                  WHERE f.content_type_id = ct.id AND f.object_id = p.id)
                """, {"org": SYNTHETIC_ORGANISATION})
            cursor.execute("ANALYZE projects_socialproject")
            cursor.execute("ANALYZE projects_estimateline")
            cursor.execute("ANALYZE funding_fundraiser")
        projects = _count(cursor)
        cursor.execute(
            """SELECT count(*) FROM funding_fundraiser f JOIN projects_socialproject p
               ON p.id = f.object_id JOIN django_content_type ct ON ct.id = f.content_type_id
               AND ct.app_label = 'projects' WHERE p.organisation = %s""",
            [SYNTHETIC_ORGANISATION])
        fundraisers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM projects_socialproject WHERE organisation = %s "
                       "AND oblast_id IS NULL", [SYNTHETIC_ORGANISATION])
        untagged = cursor.fetchone()[0]
    return {"synthetic_projects": projects, "fundraisers": fundraisers,
            "untagged": untagged}


def list_statement(params: dict) -> tuple[str, tuple]:
    """The statement /api/layers/projects/ runs for these parameters, in English."""
    from bench.portal import list_sql

    return list_sql("projects", params)


def stats_statement(params: dict, level: str) -> tuple[str, tuple]:
    """The statement /api/layers/projects/stats runs (the layer's GROUP BY, named areas)."""
    from bench.portal import stats_sql

    return stats_sql("projects", params, level)



def scenarios(ctx):
    from urllib.parse import urlencode

    from bench import portal
    from bench.portal import current_oblasts, sql_and_http

    def pair(raw_name, ours_name, note):
        return sql_and_http(ctx, raw_name, ours_name, note)

    def build_tiles():
        contenders = pair("raw ST_AsMVT (projects)", "portal /tiles/projects",
                          "tiles.sql.tile_statement via psycopg")
        raw_items, http_items = portal.tile_items("projects", ctx.tiles)
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "zooms": [z for z, _, _ in ctx.tiles], "target": TARGET}

    def build_list():
        contenders = pair("raw list SQL (projects)", "portal /api/layers/projects/",
                          "LayerQuery.list_statement via psycopg")
        raw_items, http_items = [], []
        for n, kato in enumerate(current_oblasts(ctx.monitor)):
            for k, kind in enumerate(KINDS):
                low, high = PERCENT_RANGES[(n + k) % len(PERCENT_RANGES)]
                params = {"area": kato, "kind": kind, "min_percent_funded": str(low),
                          "max_percent_funded": str(high), "limit": str(LIST_LIMIT),
                          "ordering": "-percent_funded" if (n + k) % 2 else "remaining"}
                raw_items.append((*list_statement(params), "rows"))
                http_items.append(f"/api/layers/projects/?{urlencode(params)}&lang=en")
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": TARGET}

    def build_stats():
        contenders = pair("raw stats SQL (projects)", "portal /api/layers/projects/stats",
                          "LayerQuery.stats_statement via psycopg")
        raw_items, http_items = [], []
        for level in ("oblast", "district"):
            for kind in KINDS:
                params = {"kind": kind}
                raw_items.append((*stats_statement(params, level), "rows"))
                http_items.append(f"/api/layers/projects/stats?level={level}&kind={kind}")
        raw_items *= 5
        http_items *= 5
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": TARGET}

    return [("tiles:projects", build_tiles), ("list:projects", build_list),
            ("stats:projects", build_stats)]
