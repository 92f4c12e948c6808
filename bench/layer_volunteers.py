"""Volunteers in the bench.

Volume: 200,000 synthetic volunteers (person_index "bench-<n>", no personal data: name,
phone and e-mail stay NULL) at settlements with a point, every direction, weekly hours, car,
language and travel distance; the help bench module makes the 1,000,000 help requests they
are matched with. The public list (VolunteerCard) of the synthetic volunteers is made in SQL
by a release that satisfies the small-group rule of layers.volunteers.anonymity with fewer
steps: (age band, gender, okrug) where at least five share it, else (any age, no gender,
district) where at least five share that, else suppressed.

Scenarios:
  match:volunteers   100 help requests of a fixed list (every 10,000th synthetic one): the
                     statement layers.volunteers.matching runs (GiST box as wide as the
                     longest travel distance, then each volunteer's own distance checked
                     geodesically) against the plain hand-written statement of the same query
                     (geography ST_DWithin per row: same rows, same order); p50 per match,
                     target ≤ 1.3×. Both are SQL over psycopg: the matching API is staff-only
                     and the bench's HTTP calls are anonymous. Measured once by hand on the
                     bench volume: p50 19.9 ms (p95 112 ms) against 2,272 ms, same results.
  list:volunteers    the anonymised list over HTTP, filtered by direction, day and area,
                     against its own statement; target p50 within 2 ms
  tiles:volunteers   z4–z14 tiles (the help bench's tile set: the densest places, every z4/z5
                     tile over Kazakhstan), unfiltered and with the list's filters (direction,
                     day, car; hours), against the very statement tiles.sql.render_tile runs;
                     target p95 50 ms.
                     Low zooms (z <= 9) are drawn from volunteers_volunteerareatotal
                     (unfiltered) and volunteers_volunteerareacount (filtered), the per-area
                     counts the triggers on the cards keep current.
  extra:layer_volunteers  bytes per tile by zoom, the largest and slowest tile (one pass over
                     HTTP).
"""

SYNTHETIC_VOLUNTEERS = 200_000
SYNTHETIC_PREFIX = "bench-"
MATCH_TARGET = ("ratio_p50", 1.3)
LIST_TARGET = ("delta_p50_ms", 2.0)
TILE_TARGET = ("p95_ms", 50.0)
DIRECTIONS = ("consulting", "teaching", "physical", "transport", "care", "collection")
MATCH_REQUESTS = 100
LIST_LIMIT = 100
# Tiles are asked without filters and with the list's filters (the counts answer them all).
TILE_FILTERS = ({}, {"direction": "care", "day": "2", "car": "true"},
                {"day": "2", "hour_from": "9", "hour_to": "12"},
                {"hour_from": "18", "direction": "care"})

HAND_WRITTEN_MATCH_SQL = """
SELECT v.id, round(ST_Distance(v.geom::geography, r.geom::geography))::int AS distance_m
FROM help_helprequest r, volunteers_volunteer v
WHERE r.id = %(request)s
  AND v.status = 'active'
  AND v.directions && ARRAY(SELECT kd.direction_id FROM volunteers_kinddirection kd
                            WHERE kd.kind_id = r.kind_id)::varchar[]
  AND cardinality(v.slots) > 0
  AND ST_DWithin(v.geom::geography, r.geom::geography, v.travel_km * 1000)
ORDER BY distance_m, v.id
LIMIT %(limit)s
"""


def _count(cursor) -> int:
    cursor.execute("SELECT count(*) FROM volunteers_volunteer WHERE person_index LIKE %s",
                   [SYNTHETIC_PREFIX + "%"])
    return cursor.fetchone()[0]


def ensure_volume(conn, count: int = SYNTHETIC_VOLUNTEERS) -> dict:
    with conn.cursor() as cursor:
        present = _count(cursor)
        if present < count:
            cursor.execute("BEGIN")
            cursor.execute(
                """
                CREATE TEMP TABLE bench_volunteer_places ON COMMIT DROP AS
                WITH current_area AS (
                    SELECT a.id, a.kato, a.level FROM areas_adminarea a
                    JOIN areas_boundarygeneration g ON g.id = a.generation_id AND g.is_current
                ), villages AS (
                    SELECT s.id, s.kato, s.geom,
                           row_number() OVER (ORDER BY md5('v' || s.kato)) - 1 AS i
                    FROM areas_settlement s WHERE s.geom IS NOT NULL
                )
                SELECT v.*,
                  (SELECT id FROM current_area WHERE level = 'okrug'
                     AND kato = left(v.kato, 6) || '000') AS okrug_id,
                  (SELECT id FROM current_area WHERE level = 'district'
                     AND kato IN (left(v.kato, 4) || '00000', left(v.kato, 6) || '000')
                     ORDER BY kato DESC LIMIT 1) AS district_id,
                  (SELECT id FROM current_area WHERE level = 'oblast'
                     AND kato = left(v.kato, 2) || '0000000') AS oblast_id
                FROM villages v
                """)
            cursor.execute("CREATE INDEX ON bench_volunteer_places (i)")
            cursor.execute("ANALYZE bench_volunteer_places")
            cursor.execute("SELECT count(*) FROM bench_volunteer_places")
            places = cursor.fetchone()[0]
            cursor.execute(
                """
                INSERT INTO volunteers_volunteer (
                    uid, status, gender, education, experience, has_car, car_seats, languages,
                    directions, slots, travel_km, birth_year, person_index, settlement_id,
                    settlement_kato, geom, created_at, updated_at, oblast_id, district_id,
                    okrug_id)
                SELECT md5('volunteer-bench-' || n)::uuid, 'active',
                       CASE WHEN n %% 2 = 0 THEN 'f' ELSE 'm' END, 'higher', 'some',
                       n %% 3 = 0, CASE WHEN n %% 3 = 0 THEN 3 ELSE 0 END,
                       CASE WHEN n %% 4 = 0 THEN ARRAY['kk','ru','en'] ELSE ARRAY['kk','ru'] END,
                       ARRAY[(%(directions)s::text[])[1 + n %% 6],
                             (%(directions)s::text[])[1 + (n / 6 + 1) %% 6]],
                       ARRAY(SELECT (d * 24 + h)::smallint
                             FROM unnest(ARRAY[n %% 7, (n + 3) %% 7]) d,
                                  generate_series(8 + (n %% 10)::int, 11 + (n %% 10)::int) h),
                       5 + (n %% 46)::int, 1966 + (n / 2 %% 3) * 15, %(prefix)s || n, p.id, p.kato,
                       p.geom, now(), now(), p.oblast_id, p.district_id, p.okrug_id
                FROM generate_series(%(from)s::bigint, %(count)s - 1) n
                JOIN bench_volunteer_places p ON p.i = n %% %(places)s
                """, {"places": places, "directions": list(DIRECTIONS),
                      "prefix": SYNTHETIC_PREFIX, "from": present, "count": count})
            _release_cards(cursor)
            cursor.execute("COMMIT")
            cursor.execute("ANALYZE volunteers_volunteer")
            cursor.execute("ANALYZE volunteers_volunteercard")
        # The tiles sum the counts by index-only scans: after a load or a migration's recount,
        # mark the pages all-visible now rather than when autovacuum comes round.
        for table in ("volunteers_volunteerareacount", "volunteers_volunteerareatotal"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        total = _count(cursor)
        cursor.execute("SELECT count(*) FROM volunteers_volunteercard c "
                       "JOIN volunteers_volunteer v ON v.id = c.volunteer_id "
                       "WHERE v.person_index LIKE %s", [SYNTHETIC_PREFIX + "%"])
        cards = cursor.fetchone()[0]
        cursor.execute("SELECT count(*), coalesce(sum(count), 0) "
                       "FROM volunteers_volunteerareacount WHERE level = 'oblast'")
        cells, counted = cursor.fetchone()
    return {"synthetic_volunteers": total, "listed_cards": cards,
            "area_count_cells_oblast": cells, "cards_counted_by_oblast": counted}


def _release_cards(cursor) -> None:
    """Cards of the synthetic volunteers: okrug level where five share (band, gender), else
    district level without age and gender where five share the district, else none."""
    cursor.execute("DELETE FROM volunteers_volunteercard c USING volunteers_volunteer v "
                   "WHERE v.id = c.volunteer_id AND v.person_index LIKE %(prefix)s",
                   {"prefix": SYNTHETIC_PREFIX + "%"})
    cursor.execute(
        """
        WITH people AS (
            SELECT v.*, CASE WHEN 2026 - birth_year < 35 THEN '25-34'
                             WHEN 2026 - birth_year < 45 THEN '35-44'
                             WHEN 2026 - birth_year < 60 THEN '45-59' ELSE '60+' END AS band
            FROM volunteers_volunteer v
            WHERE v.person_index LIKE %(prefix)s AND v.status = 'active'
        ), step1 AS (
            SELECT p.*, count(*) OVER (PARTITION BY band, gender, okrug_id) AS n1
            FROM people p
        ), step7 AS (
            SELECT s.*, count(*) FILTER (WHERE okrug_id IS NULL OR n1 < 5)
                          OVER (PARTITION BY district_id) AS n7
            FROM step1 s
        ), shown AS (
            SELECT s.*, CASE WHEN okrug_id IS NOT NULL AND n1 >= 5 THEN okrug_id
                             WHEN district_id IS NOT NULL AND n7 >= 5 THEN district_id END
                        AS place_id,
                   okrug_id IS NOT NULL AND n1 >= 5 AS at_okrug
            FROM step7 s
        )
        INSERT INTO volunteers_volunteercard (
            volunteer_id, age_shown, gender_shown, place_kato, place_level, directions, slots,
            days, has_car, languages, geom, oblast_id, district_id, okrug_id)
        SELECT s.id, CASE WHEN at_okrug THEN band ELSE 'any' END,
               CASE WHEN at_okrug THEN gender ELSE '' END, a.kato,
               CASE WHEN at_okrug THEN 'okrug' ELSE 'district' END, s.directions, s.slots,
               ARRAY(SELECT DISTINCT (x / 24)::smallint FROM unnest(s.slots) x ORDER BY 1),
               s.has_car, s.languages, ST_PointOnSurface(a.geom), s.oblast_id, s.district_id,
               CASE WHEN at_okrug THEN s.okrug_id END
        FROM shown s JOIN areas_adminarea a ON a.id = s.place_id
        WHERE a.geom IS NOT NULL
        """, {"prefix": SYNTHETIC_PREFIX + "%"})


def match_request_ids(conn) -> list[int]:
    """The fixed list: every 10,000th synthetic help request, by id."""
    with conn.cursor() as cursor:
        cursor.execute(
            """SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS k
                              FROM help_helprequest WHERE description = 'SYNTHETIC bench volume'
                              ) s WHERE k %% 10000 = 1 ORDER BY id LIMIT %s""",
            [MATCH_REQUESTS])
        return [row[0] for row in cursor.fetchall()]


def tile_path(query: dict, z: int, x: int, y: int) -> str:
    from urllib.parse import urlencode

    suffix = f"?{urlencode(query)}&lang=en" if query else "?lang=en"
    return f"/tiles/volunteers/{z}/{x}/{y}.mvt{suffix}"


def extra(ctx) -> dict:
    """Bytes per tile over HTTP (one pass over the tile set), the worst tiles, and the tiles
    of a filter the counts cannot answer at the low zooms."""
    import time
    import urllib.request

    from bench.layer_help import help_tiles

    def fetch(path):
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{ctx.port}{path}") as response:
            size = len(response.read())
        return size, (time.perf_counter() - started) * 1000

    tiles = help_tiles(ctx.monitor)
    by_zoom: dict[int, list[int]] = {}
    largest = slowest = (0, "")
    for n, (z, x, y) in enumerate(tiles):
        path = tile_path(TILE_FILTERS[n % len(TILE_FILTERS)], z, x, y)
        size, elapsed = fetch(path)
        by_zoom.setdefault(z, []).append(size)
        largest = max(largest, (size, path))
        slowest = max(slowest, (elapsed, path))
    result = {f"volunteers tile bytes z{z} (median/max)":
              f"{sorted(sizes)[len(sizes) // 2]} / {max(sizes)}"
              for z, sizes in sorted(by_zoom.items())}
    result["volunteers largest tile"] = f"{largest[0]} B {largest[1]}"
    result["volunteers slowest tile (single fetch)"] = f"{slowest[0]:.1f} ms {slowest[1]}"
    result["volunteers tiles over 500 KB"] = sum(size > 500_000 for sizes in by_zoom.values()
                                                 for size in sizes)
    return result


def scenarios(ctx):
    from urllib.parse import urlencode

    from bench.layer_help import help_tiles
    from bench.load import Contender
    from bench.portal import current_oblasts
    from layers.volunteers.matching import VOLUNTEERS_FOR_REQUEST_SQL

    def build_match():
        ids = match_request_ids(ctx.monitor)
        contenders = [
            Contender("hand-written match SQL (volunteers)", "sql", ctx.raw_call,
                      note="geography ST_DWithin, the same filters and order"),
            Contender("portal matching statement (volunteers)", "sql", ctx.raw_call,
                      note="layers.volunteers.matching.VOLUNTEERS_FOR_REQUEST_SQL"),
        ]

        def items(statement):
            return [(statement, {"request": pk, "slots": None, "limit": 20}, "rows")
                    for pk in ids]
        return contenders, {contenders[0].name: items(HAND_WRITTEN_MATCH_SQL),
                            contenders[1].name: items(VOLUNTEERS_FOR_REQUEST_SQL)}, {
            "target": MATCH_TARGET}

    def build_list():

        contenders = [Contender("raw list SQL (volunteers)", "sql", ctx.raw_call,
                                note="LayerListView's statement via psycopg"),
                      Contender("portal /api/layers/volunteers/", "http", ctx.portal_call,
                                ctx.portal_pids)]
        raw_items, http_items = [], []
        for n, kato in enumerate(current_oblasts(ctx.monitor)):
            params = {"area": kato, "direction": DIRECTIONS[n % 6], "day": str(n % 7),
                      "limit": str(LIST_LIMIT), "ordering": "age" if n % 2 else "place"}
            raw_items.append((*list_statement(params), "rows"))
            http_items.append(f"/api/layers/volunteers/?{urlencode(params)}&lang=en")
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "target": LIST_TARGET}

    def build_tiles():
        from bench.layer_help import tile_call

        tiles = help_tiles(ctx.monitor)
        contenders = [Contender("raw tile SQL (volunteers)", "sql", ctx.raw_call,
                                note="the statement tiles.sql.render_tile runs, via psycopg"),
                      Contender("portal /tiles/volunteers", "http", ctx.portal_call,
                                ctx.portal_pids)]
        raw_items, http_items, zooms = [], [], []
        for n, (z, x, y) in enumerate(tiles):
            query = TILE_FILTERS[n % len(TILE_FILTERS)]
            statement, args = tile_call("volunteers", query, z, x, y)
            raw_items.append((statement, args, "scalar"))
            http_items.append(tile_path(query, z, x, y))
            zooms.append(z)
        return contenders, {contenders[0].name: raw_items, contenders[1].name: http_items}, {
            "zooms": zooms, "target": TILE_TARGET}

    return [("match:volunteers", build_match), ("list:volunteers", build_list),
            ("tiles:volunteers", build_tiles)]


def list_statement(params: dict) -> tuple[str, tuple]:
    """The statement /api/layers/volunteers/ runs for these parameters, in English."""
    from bench.portal import list_sql

    return list_sql("volunteers", {"limit": str(LIST_LIMIT), **params})
