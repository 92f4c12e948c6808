"""Eco-routes and the road-trip planner in the bench.

Volume: the schematic road graph (the planner's default) and 20,000 synthetic eco-routes
(organisation "SYNTHETIC bench volume", names "Synthetic route N"), short lines from
settlements all over the country.

Scenario `planner`: a west-to-east plan (Aktau → Ust-Kamenogorsk) with sights, over HTTP
(`GET /api/routes/plan?preset=west-east&…`) against the planner's own SQL (`PLAN_SQL`: the
pgr_dijkstra path and the sights in the corridor) on a persistent psycopg connection. Target:
the HTTP p50 at most 200 ms.

Scenario `route-sights`: the heritage sights along synthetic eco-routes (`GET /api/routes/<id>/
sights?buffer_km=…`, the route page's list) against `route_sights_sql()` on a persistent psycopg
connection. Target: the HTTP p50 at most 100 ms.
"""

SYNTHETIC_ORGANISATION = "SYNTHETIC bench volume"
SYNTHETIC_ROUTES = 20_000
PLANNER_TARGET_MS = 200.0
ROUTE_SIGHTS_TARGET_MS = 100.0
ROUTE_SIGHTS_BUFFERS_KM = (5, 5, 5, 20, 50)
# Variants of the plan: days by km, by count, with interests (same route, other sights).
VARIANTS = [
    ("km_per_day=450", {}),
    ("km_per_day=600", {}),
    ("days=7", {}),
    ("km_per_day=500&unesco=1", {"unesco_only": True}),
    ("km_per_day=500&nature=1", {"nature_only": True}),
    ("km_per_day=400&corridor_km=60", {"corridor_km": 60}),
]
REQUESTS = 60


def ensure_volume(conn) -> dict:
    from layers.core.tagging import tag_rows
    from layers.routes.models import EcoRoute
    from layers.routes.roads import load_schematic_graph

    graph = load_schematic_graph(commit=True)
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM routes_ecoroute WHERE organisation = %s",
                       [SYNTHETIC_ORGANISATION])
        present = cursor.fetchone()[0]
        if not present:
            # Wiggly 10-point lines of 2–12 km heading out of settlements (two per settlement
            # until the count is reached).
            cursor.execute(
                """
                WITH picked AS (
                    SELECT s.geom, row_number() OVER (ORDER BY k, s.id) AS n
                    FROM areas_settlement s, generate_series(0, 1) k WHERE s.geom IS NOT NULL
                    ORDER BY k, s.id LIMIT %(count)s
                ), tracks AS (
                    SELECT p.n, ST_Multi(ST_MakeLine(ST_Translate(
                        p.geom, i * 0.01 * (1 + p.n %% 5) * cos(p.n),
                        i * 0.01 * (1 + p.n %% 5) * sin(p.n) + (i %% 2) * 0.002)
                        ORDER BY i)) AS track
                    FROM picked p, generate_series(0, 9) i GROUP BY p.n
                )
                INSERT INTO routes_ecoroute (name_kk, name_ru, name_en, kind, difficulty,
                    length_km, duration_hours, season_start_month, season_end_month,
                    description_kk, description_ru, description_en, organisation, is_sample,
                    published, geom, track, created_at, updated_at)
                SELECT 'Synthetic route ' || n, 'Synthetic route ' || n, 'Synthetic route ' || n,
                       (ARRAY['hiking','horse','cycling','car','water'])[1 + n %% 5],
                       (ARRAY['easy','moderate','hard'])[1 + n %% 3],
                       ST_Length(track::geography) / 1000.0, 1 + n %% 9, 1 + n %% 6,
                       12 - n %% 5, '', '', '', %(org)s, true, true, track, track, now(), now()
                FROM tracks
                """, {"count": SYNTHETIC_ROUTES, "org": SYNTHETIC_ORGANISATION})
            tag_rows(EcoRoute, pks=list(EcoRoute.objects.filter(
                organisation=SYNTHETIC_ORGANISATION).values_list("pk", flat=True)))
        cursor.execute("SELECT count(*) FROM routes_ecoroute WHERE organisation = %s",
                       [SYNTHETIC_ORGANISATION])
        routes = cursor.fetchone()[0]
    return {"synthetic_eco_routes": routes,
            "road_graph": f"{graph.network}: "
                          f"{graph.nodes_created + graph.nodes_updated + graph.nodes_unchanged} "
                          f"nodes, {graph.edges_written + graph.edges_unchanged} edges"}


def scenarios(ctx):
    from bench.load import Contender

    def build_planner():
        from layers.routes.models import RoadNetwork
        from layers.routes.planner import (
            PRESETS,
            Interests,
            TripRequest,
            plan_params,
            plan_sql,
        )

        start_key, end_key = PRESETS["west-east"]
        with ctx.monitor.cursor() as cursor:
            cursor.execute(
                """SELECT w.id, a.id, b.id FROM routes_roadnetwork w
                   JOIN routes_roadnode a ON a.network_id = w.id AND a.key = %s
                   JOIN routes_roadnode b ON b.network_id = w.id AND b.key = %s
                   WHERE w.is_active""", [start_key, end_key])
            network_id, start_id, end_id = cursor.fetchone()
        assert RoadNetwork.objects.filter(pk=network_id, is_active=True).exists()
        statement = plan_sql(network_id)
        raw_name, ours_name = "raw PLAN_SQL (pgr_dijkstra + sights)", "portal /api/routes/plan"
        contenders = [
            Contender(raw_name, "sql", ctx.raw_call, note="psycopg, persistent conn"),
            Contender(ours_name, "http", ctx.portal_call, ctx.portal_pids),
        ]
        raw_items, http_items = [], []
        for n in range(REQUESTS):
            query, options = VARIANTS[n % len(VARIANTS)]
            interests = Interests(unesco_only=options.get("unesco_only", False),
                                  nature_only=options.get("nature_only", False))
            corridor = options.get("corridor_km", TripRequest.corridor_km)
            raw_items.append((statement, plan_params(start_id, end_id, interests, corridor),
                              "rows"))
            http_items.append(f"/api/routes/plan?preset=west-east&{query}&lang=en")
        return contenders, {raw_name: raw_items, ours_name: http_items}, {
            "target": ("p50_ms", PLANNER_TARGET_MS)}

    def build_route_sights():
        from layers.routes.views import route_sights_sql

        with ctx.monitor.cursor() as cursor:
            cursor.execute("SELECT id FROM routes_ecoroute WHERE organisation = %s AND published"
                           " ORDER BY md5(id::text) LIMIT %s", [SYNTHETIC_ORGANISATION, REQUESTS])
            route_ids = [row[0] for row in cursor.fetchall()]
        statement = route_sights_sql()
        raw_name, ours_name = "raw route sights SQL", "portal /api/routes/<id>/sights"
        contenders = [
            Contender(raw_name, "sql", ctx.raw_call, note="psycopg, persistent conn"),
            Contender(ours_name, "http", ctx.portal_call, ctx.portal_pids),
        ]
        raw_items, http_items = [], []
        for n, route_id in enumerate(route_ids):
            buffer_km = ROUTE_SIGHTS_BUFFERS_KM[n % len(ROUTE_SIGHTS_BUFFERS_KM)]
            raw_items.append((statement, {"route": route_id, "metres": buffer_km * 1000.0},
                              "rows"))
            http_items.append(f"/api/routes/{route_id}/sights?buffer_km={buffer_km}&lang=en")
        return contenders, {raw_name: raw_items, ours_name: http_items}, {
            "target": ("p50_ms", ROUTE_SIGHTS_TARGET_MS)}

    return [("planner", build_planner), ("route-sights", build_route_sights)]
