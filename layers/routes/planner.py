"""The road-trip planner: a route over the active road graph (pgr_dijkstra in the database),
the heritage sights in a corridor along it, and the trip split into days that end in towns.

`plan_trip(TripRequest(...)) -> Trip` is the one entry point (the API, the page and the GPX/KML
exports call it). `PLAN_SQL` is the single statement it runs: the path with each edge oriented
along the trip and its cumulative km, and the sights within the corridor, each with its
distance from the route, its km along the trip and its detour. The detour is a first honest
estimate: twice the straight distance from the route (there and back), not a road distance.
"""

import json
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gis_portal.errors import ActionError

from .models import RoadNetwork, RoadNode

# Presets of the form: name → (start key, end key) in the graph.
PRESETS = {
    "west-east": ("aktau", "oskemen"),
    "north-south": ("petropavl", "shymkent"),
}
PRESET_LABELS = {
    "west-east": gettext_lazy("West to east across the country (Aktau → Ust-Kamenogorsk)"),
    "north-south": gettext_lazy("North to south (Petropavl → Shymkent)"),
}
DEFAULT_KM_PER_DAY = 450
MAX_KM_PER_DAY = 1500
MAX_DAYS = 60
DEFAULT_CORRIDOR_KM = 30
MAX_CORRIDOR_KM = 100
MAX_SIGHTS = 40


class PlanError(ActionError):
    """A trip that cannot be planned: the message says what to change."""


class Unreachable(PlanError):
    status = 409
    code = "unreachable"


@dataclass
class Interests:
    categories: tuple[str, ...] = ()
    unesco_only: bool = False
    nature_only: bool = False


@dataclass
class TripRequest:
    start: str
    end: str
    days: int | None = None
    km_per_day: float | None = None
    interests: Interests = field(default_factory=Interests)
    corridor_km: float = DEFAULT_CORRIDOR_KM
    network: RoadNetwork | None = None
    # A SELECT with the columns of layers.heritage.sights.SIGHTS_SQL (None: that one).
    sights_sql: str | None = None


@dataclass
class Day:
    number: int
    start: dict
    end: dict
    km: float
    over_limit: bool
    sights: list = field(default_factory=list)


@dataclass
class Trip:
    network: RoadNetwork
    start: RoadNode
    end: RoadNode
    km: float
    stops: list[dict]  # every node on the way: key, name, km (from the start), is_town, lon, lat
    edges: list[dict]  # each edge oriented along the trip: road, km, length_source, coords
    sights: list[dict]
    days: list[Day]
    km_per_day: float
    notes: list[str]

    def line_coordinates(self) -> list[list[float]]:
        """The whole trip as one list of lon/lat pairs."""
        coords: list[list[float]] = []
        for edge in self.edges:
            points = edge["coords"]
            coords += points[1:] if coords and coords[-1] == points[0] else points
        return coords


def sights_sql() -> str:
    """The heritage sights query; an empty one with the same columns until the heritage
    layers (their query and their models) exist."""
    from django.apps import apps

    try:
        from layers.heritage.sights import SIGHTS_SQL
    except ImportError:
        return EMPTY_SIGHTS_SQL
    if not apps.get_app_config("heritage").models:
        return EMPTY_SIGHTS_SQL
    return SIGHTS_SQL


EMPTY_SIGHTS_SQL = """
SELECT NULL::text AS layer, NULL::bigint AS id, NULL::text AS name_kk, NULL::text AS name_ru,
       NULL::text AS name_en, NULL::text AS category, NULL::int AS significance_rank,
       NULL::bool AS is_nature, NULL::bool AS unesco, NULL::bool AS approximate,
       NULL::geometry(Point, 4326) AS geom
WHERE false
"""

# The corridor search reads only the sights near the route, through the GiST indexes of the
# sights' tables, at any volume (a geography test of every sight against a route across the
# country reads every row, at some 15 us each). The route is cut into short straight pieces, each
# widened into a box that holds every point within the corridor of it; one bitmap index scan per
# table reads the sights in any box, and only those get the exact geography test and distance
# against the whole route, which decide as before (the same sights, distances and order). The
# boxes never miss a sight of the corridor:
#   - the route's edges are great-circle arcs: it is first cut into arcs of ARC_STEP_M, whose
#     straight chords stray from them by a few metres;
#   - it is then simplified (a road graph's line may have thousands of vertices) within
#     SIMPLIFY_DEGREES and cut into pieces of at most PIECE_DEGREES; PIECE_SLACK_DEGREES covers
#     both strays;
#   - on the ellipsoid a degree of latitude is at least 110,574 m, and a degree of longitude at
#     least 6,378,137 m x cos(latitude) x pi/180, taken at the highest latitude the piece and the
#     corridor reach; the corridor is taken 0.1 % wider for rounding.
ARC_STEP_M = 10_000
SIMPLIFY_DEGREES = 0.01
PIECE_DEGREES = 0.5
PIECE_SLACK_DEGREES = SIMPLIFY_DEGREES + 0.001
METRES_PER_DEGREE_LAT_MIN = 110_574.0
METRES_PER_DEGREE_MAX = 111_320.0
EQUATOR_RADIUS_M = 6_378_137.0

# One row, `boxes`: the boxes around the line `geom` of the relation {route} that hold every
# point within {metres} metres of it (an SQL expression), as explained above.
CORRIDOR_BOXES_SQL = """
SELECT array_agg(ST_Expand(piece.geom, reach.m / lon.m, reach.m / {metres_per_degree_lat_min}))
       AS boxes
FROM {route} r
CROSS JOIN LATERAL ST_DumpSegments(ST_Segmentize(ST_Simplify(
    ST_Segmentize(r.geom::geography, {arc_step_m})::geometry, {simplify_degrees}, true),
    {piece_degrees})) piece
CROSS JOIN LATERAL (SELECT {metres} * 1.001 + {slack_degrees} * {metres_per_degree_max} AS m) reach
-- The fewest metres in a degree of longitude where the piece and its corridor reach.
CROSS JOIN LATERAL (
    SELECT {equator_radius_m} * pi() / 180 * cos(radians(LEAST(89.0,
               GREATEST(abs(ST_YMin(piece.geom)), abs(ST_YMax(piece.geom)))
               + {slack_degrees} + reach.m / {metres_per_degree_lat_min}))) AS m) lon
"""

# The rows of the relation `sights` (the sights' SELECT as a CTE) in any of the boxes of the
# relation `boxes`: one bitmap index scan of each table of the sights' UNION for all the boxes at
# once, each sight read once. OFFSET 0 keeps the lateral subquery whole, so its box test goes
# down into each table's branch (a join condition would not).
NEAR_SIGHTS_SQL = """
SELECT s.* FROM boxes b
CROSS JOIN LATERAL (SELECT * FROM sights WHERE sights.geom && ANY(b.boxes) OFFSET 0) s
"""


def corridor_boxes_sql(route: str, metres: str) -> str:
    """CORRIDOR_BOXES_SQL for the line `geom` of the relation `route` and a corridor of
    `metres` (an SQL expression, e.g. a parameter)."""
    constants = {
        "{route}": route, "{metres}": metres, "{arc_step_m}": repr(ARC_STEP_M),
        "{simplify_degrees}": repr(SIMPLIFY_DEGREES), "{piece_degrees}": repr(PIECE_DEGREES),
        "{slack_degrees}": repr(PIECE_SLACK_DEGREES),
        "{metres_per_degree_max}": repr(METRES_PER_DEGREE_MAX),
        "{metres_per_degree_lat_min}": repr(METRES_PER_DEGREE_LAT_MIN),
        "{equator_radius_m}": repr(EQUATOR_RADIUS_M),
    }
    statement = CORRIDOR_BOXES_SQL
    for name, value in constants.items():
        statement = statement.replace(name, value)
    return statement


# %(network)s is an integer id formatted into pgr_dijkstra's edge query by plan_sql().
PLAN_SQL = """
WITH path AS (
    SELECT d.path_seq AS seq, d.node, d.edge, d.agg_cost AS km_before,
           e.cost AS km, e.road, e.length_source,
           CASE WHEN e.source = d.node THEN e.geom ELSE ST_Reverse(e.geom) END AS geom
    FROM pgr_dijkstra(
        'SELECT id, source, target, cost, reverse_cost FROM routes_roadedge
          WHERE network_id = {network}',
        %(start)s::bigint, %(end)s::bigint, directed => true) d
    LEFT JOIN routes_roadedge e ON e.id = d.edge
),
route AS (
    SELECT ST_MakeLine(geom ORDER BY seq) AS geom FROM path WHERE edge <> -1
),
boxes AS ({boxes}),
sights AS ({sights}),
near AS MATERIALIZED (
    SELECT s.* FROM ({near_sights}) s
    WHERE (cardinality(%(categories)s::text[]) = 0 OR s.category = ANY(%(categories)s::text[]))
      AND (NOT %(unesco_only)s OR s.unesco)
      AND (NOT %(nature_only)s OR s.is_nature)
),
-- The exact test and distance (on the ellipsoid, against the whole route) cost most: they are
-- taken one significance at a time, from the highest, only while fewer sights than asked for
-- have been found.
in_corridor AS NOT MATERIALIZED (
    SELECT s.layer, s.id, s.name_kk, s.name_ru, s.name_en, s.category, s.significance_rank,
           s.is_nature, s.unesco, s.approximate, s.geom,
           ST_Distance(s.geom::geography, r.geom::geography) AS off_m
    FROM near s, route r
    WHERE ST_DWithin(s.geom::geography, r.geom::geography, %(corridor_m)s)
),
unesco AS (
    SELECT * FROM in_corridor WHERE significance_rank >= 3
    ORDER BY significance_rank DESC, off_m, layer, id LIMIT %(max_sights)s
),
republican AS (
    SELECT * FROM in_corridor
    WHERE significance_rank = 2 AND (SELECT count(*) FROM unesco) < %(max_sights)s
    ORDER BY off_m, layer, id LIMIT %(max_sights)s
),
local AS (
    SELECT * FROM in_corridor
    WHERE significance_rank <= 1
      AND (SELECT count(*) FROM unesco) + (SELECT count(*) FROM republican) < %(max_sights)s
    ORDER BY significance_rank DESC, off_m, layer, id LIMIT %(max_sights)s
),
candidates AS (
    SELECT * FROM unesco UNION ALL SELECT * FROM republican UNION ALL SELECT * FROM local
    ORDER BY significance_rank DESC, off_m, layer, id LIMIT %(max_sights)s
),
placed AS (
    SELECT c.*, nearest.km_before
               + ST_LineLocatePoint(nearest.geom, c.geom) * nearest.km AS km_along
    FROM candidates c
    CROSS JOIN LATERAL (
        SELECT p.geom, p.km, p.km_before FROM path p WHERE p.edge <> -1
        ORDER BY p.geom <-> c.geom LIMIT 1) nearest
)
SELECT
    (SELECT json_agg(json_build_object(
        'seq', p.seq, 'node', p.node, 'edge', p.edge, 'km_before', p.km_before, 'km', p.km,
        'road', p.road, 'length_source', p.length_source,
        'coords', ST_AsGeoJSON(p.geom, 6)::json -> 'coordinates',
        'key', n.key, 'name_kk', n.name_kk, 'name_ru', n.name_ru, 'name_en', n.name_en,
        'is_town', n.is_town, 'lon', ST_X(n.geom), 'lat', ST_Y(n.geom)) ORDER BY p.seq)
     FROM path p JOIN routes_roadnode n ON n.id = p.node),
    (SELECT json_agg(json_build_object(
        'layer', layer, 'id', id, 'name_kk', name_kk, 'name_ru', name_ru, 'name_en', name_en,
        'category', category, 'significance_rank', significance_rank, 'is_nature', is_nature,
        'unesco', unesco, 'approximate', approximate, 'off_route_km', off_m / 1000.0,
        'km_along', km_along, 'lon', ST_X(geom), 'lat', ST_Y(geom))
        ORDER BY significance_rank DESC, off_m, layer, id)
     FROM placed)
"""


def plan_sql(network_id: int, sights: str | None = None) -> str:
    return (PLAN_SQL.replace("{network}", str(int(network_id)))
            .replace("{boxes}", corridor_boxes_sql("route", "%(corridor_m)s"))
            .replace("{near_sights}", NEAR_SIGHTS_SQL)
            .replace("{sights}", sights or sights_sql()))


def plan_params(start_id: int, end_id: int, interests: Interests, corridor_km: float) -> dict:
    return {"start": start_id, "end": end_id, "corridor_m": corridor_km * 1000.0,
            "categories": list(interests.categories), "unesco_only": interests.unesco_only,
            "nature_only": interests.nature_only, "max_sights": MAX_SIGHTS}


def active_network() -> RoadNetwork:
    network = RoadNetwork.objects.filter(is_active=True).first()
    if network is None:
        raise PlanError(_("No road graph is loaded: run `manage.py load_road_graph --commit`."))
    return network


def towns(network: RoadNetwork | None = None):
    """The towns a trip may start or end in, by name."""
    network = network or active_network()
    return network.nodes.filter(is_town=True).order_by("name_en", "key")


def _local(row: dict, prefix: str = "name") -> str:
    language = (get_language() or "kk")[:2]
    return (row.get(f"{prefix}_{language}") or row.get(f"{prefix}_kk") or row.get(f"{prefix}_ru")
            or row.get(f"{prefix}_en") or row.get("key") or "")


def find_town(network: RoadNetwork, key: str, field_name: str) -> RoadNode:
    node = network.nodes.filter(key=key).first()
    if node is None:
        raise PlanError(_("%(key)s is not a town of the road graph: pick one of the list.")
                        % {"key": key}, field_name)
    return node


def plan_trip(request: TripRequest) -> Trip:
    from django.db import connection

    network = request.network or active_network()
    start = find_town(network, request.start, "start")
    end = find_town(network, request.end, "end")
    if start.pk == end.pk:
        raise PlanError(_("The start and the end are the same town: pick two different ones."),
                        "end")
    if not (0 < request.corridor_km <= MAX_CORRIDOR_KM):
        raise PlanError(_("The corridor must be wider than 0 and at most %(max)s km.")
                        % {"max": MAX_CORRIDOR_KM}, "corridor")
    with connection.cursor() as cursor:
        cursor.execute(plan_sql(network.pk, request.sights_sql),
                       plan_params(start.pk, end.pk, request.interests, request.corridor_km))
        path_rows, sight_rows = cursor.fetchone()
    if isinstance(path_rows, str):
        path_rows, sight_rows = json.loads(path_rows), json.loads(sight_rows or "null")
    if not path_rows:
        raise Unreachable(
            _("No road of the graph joins %(start)s and %(end)s: the graph misses some roads. "
              "Pick another start or end.") % {"start": start.name, "end": end.name}, "end")
    stops, edges = [], []
    for row in path_rows:
        stops.append({"key": row["key"], "name": _local(row), "km": round(row["km_before"], 1),
                      "is_town": row["is_town"], "lon": row["lon"], "lat": row["lat"]})
        if row["edge"] != -1:
            edges.append({"road": row["road"], "km": row["km"],
                          "length_source": row["length_source"], "coords": row["coords"]})
    total = path_rows[-1]["km_before"]
    sights = [
        {"layer": s["layer"], "id": s["id"], "name": _local(s), "category": s["category"],
         "significance_rank": s["significance_rank"], "unesco": s["unesco"],
         "is_nature": s["is_nature"], "approximate": s["approximate"],
         "off_route_km": round(s["off_route_km"], 1),
         "detour_km": round(2 * s["off_route_km"], 1), "km_along": round(s["km_along"], 1),
         "lon": s["lon"], "lat": s["lat"]}
        for s in (sight_rows or [])
    ]
    km_per_day = day_limit(total, request.days, request.km_per_day)
    if request.days:
        days = split_into_days_count(stops, request.days, km_per_day)
    else:
        days = split_into_days(stops, km_per_day)
    for sight in sights:
        for day in days:
            if day.start["km"] <= sight["km_along"] <= day.end["km"] or day is days[-1]:
                day.sights.append(sight)
                sight["day"] = day.number
                break
    return Trip(network=network, start=start, end=end, km=round(total, 1), stops=stops,
                edges=edges, sights=sights, days=days, km_per_day=round(km_per_day, 1),
                notes=honesty_notes(network, edges, sights, days))


def day_limit(total_km: float, days: int | None, km_per_day: float | None) -> float:
    if days is not None:
        if not (1 <= days <= MAX_DAYS):
            raise PlanError(_("The number of days must be between 1 and %(max)s.")
                            % {"max": MAX_DAYS}, "days")
        return total_km / days
    km = km_per_day or DEFAULT_KM_PER_DAY
    if not (50 <= km <= MAX_KM_PER_DAY):
        raise PlanError(_("Kilometres per day must be between 50 and %(max)s.")
                        % {"max": MAX_KM_PER_DAY}, "km_per_day")
    return float(km)


def split_into_days(stops: list[dict], limit_km: float) -> list[Day]:
    """Days that end in towns, none longer than the limit where a town allows it: the fewest
    days, and among those the most even ones (least sum of squared day lengths). Where the
    next town is beyond the limit, that day goes on to it and says it is over the limit.

    A shortest-path over the towns on the way (each stop: the best split reaching it)."""
    last = len(stops) - 1
    ends = [0] + [i for i in range(1, last + 1) if stops[i]["is_town"] or i == last]
    # best[i] = (days over the limit, days, sum of squared km, previous end) reaching ends[i]
    best: list[tuple | None] = [None] * len(ends)
    best[0] = (0, 0, 0.0, None)
    for j in range(1, len(ends)):
        for i in range(j - 1, -1, -1):
            if best[i] is None:
                continue
            km = stops[ends[j]]["km"] - stops[ends[i]]["km"]
            over = km > limit_km + 1e-6
            # A day over the limit only to the very next town: there was no other choice.
            if over and i != j - 1:
                break
            over_days, days, squares, _ = best[i]
            candidate = (over_days + over, days + 1, squares + km * km, i)
            if best[j] is None or candidate[:3] < best[j][:3]:
                best[j] = candidate
    chain, index = [], len(ends) - 1
    while index is not None and index > 0:
        chain.append(index)
        index = best[index][3]
    result, previous = [], 0
    for index in reversed(chain):
        start, end = stops[ends[previous]], stops[ends[index]]
        result.append(_day(len(result) + 1, start, end,
                           end["km"] - start["km"] > limit_km + 1e-6))
        previous = index
    return result


def split_into_days_count(stops: list[dict], count: int, limit_km: float) -> list[Day]:
    """A given number of days: each ends at the town nearest the day's share of the trip, so
    the days come out as even as the towns allow (fewer days when there are fewer towns)."""
    last = len(stops) - 1
    total = stops[last]["km"]
    ends, position = [], 0
    for day in range(1, count):
        target = total * day / count
        options = [i for i in range(position + 1, last) if stops[i]["is_town"]]
        if not options:
            break
        best = min(options, key=lambda i: abs(stops[i]["km"] - target))
        if best in ends:
            continue
        ends.append(best)
        position = best
    ends.append(last)
    days, position = [], 0
    for end in ends:
        driven = stops[end]["km"] - stops[position]["km"]
        days.append(_day(len(days) + 1, stops[position], stops[end],
                         driven > limit_km * 1.25))
        position = end
    return days


def _day(number: int, start: dict, end: dict, over: bool) -> Day:
    return Day(number=number, start=start, end=end, km=round(end["km"] - start["km"], 1),
               over_limit=over)


def honesty_notes(network: RoadNetwork, edges: list[dict], sights: list[dict],
                  days: list[Day]) -> list[str]:
    """What this plan does not know, said on the page, in the API and in the exports."""
    notes = []
    if network.kind == RoadNetwork.Kind.SCHEMATIC:
        notes.append(_("The road graph is schematic: lines go straight from city to city, not "
                       "along the real road, and some roads are missing (M-51, A-17; "
                       "Usharal–Dostyk is cut off). The real route may differ."))
        straight = sum(1 for e in edges if e["length_source"] == "straight line")
        if straight:
            notes.append(_("%(count)s of %(total)s sections are measured as the straight line "
                           "between cities: the road is longer, so the distances and days are "
                           "an underestimate.") % {"count": straight, "total": len(edges)})
    notes.append(_("Detours to sights are estimated as twice the straight distance from the "
                   "route, not along roads."))
    if any(s["approximate"] for s in sights):
        notes.append(_("Some sights' positions are approximate (within about 5 km)."))
    if any(d.over_limit for d in days):
        notes.append(_("No town lies within the day's limit on some days: those days are "
                       "longer, and say so."))
    notes.append(_("Overnight stops are towns of the graph; hotels, fuel and road closures "
                   "are not checked."))
    return notes


def trip_geojson(trip: Trip) -> dict:
    """The trip as GeoJSON: the route line, the overnight stops and the sights."""
    features = [{
        "type": "Feature", "id": "route",
        "geometry": {"type": "LineString", "coordinates": trip.line_coordinates()},
        "properties": {"kind": "route", "km": trip.km},
    }]
    for day in trip.days:
        features.append({
            "type": "Feature", "id": f"stop-{day.number}",
            "geometry": {"type": "Point", "coordinates": [day.end["lon"], day.end["lat"]]},
            "properties": {"kind": "overnight" if day is not trip.days[-1] else "end",
                           "day": day.number, "name": day.end["name"], "km": day.end["km"]},
        })
    for sight in trip.sights:
        features.append({
            "type": "Feature", "id": f"sight-{sight['layer']}-{sight['id']}",
            "geometry": {"type": "Point", "coordinates": [sight["lon"], sight["lat"]]},
            "properties": {"kind": "sight", **{k: v for k, v in sight.items()
                                               if k not in ("lon", "lat")}},
        })
    return {"type": "FeatureCollection", "features": features}


def trip_as_dict(trip: Trip) -> dict:
    return {
        "start": {"key": trip.start.key, "name": trip.start.name},
        "end": {"key": trip.end.key, "name": trip.end.name},
        "km": trip.km,
        "km_per_day": trip.km_per_day,
        "network": {"slug": trip.network.slug, "kind": trip.network.kind},
        "stops": trip.stops,
        "days": [{"number": d.number, "from": d.start["name"], "to": d.end["name"],
                  "from_key": d.start["key"], "to_key": d.end["key"], "km": d.km,
                  "over_limit": d.over_limit,
                  "sights": [{"layer": s["layer"], "id": s["id"], "name": s["name"]}
                             for s in d.sights]}
                 for d in trip.days],
        "sights": trip.sights,
        "notes": trip.notes,
        "geojson": trip_geojson(trip),
    }
