"""The road-trip planner on a small graph built here (pgr_dijkstra in the database), and on
the shipped schematic corridor graph through the HTTP API."""

import json

import pytest

from layers.routes.models import RoadEdge, RoadNetwork, RoadNode
from layers.routes.planner import Interests, TripRequest, Unreachable, plan_trip

pytestmark = pytest.mark.django_db

# Towns on the 48th parallel in the Aktobe steppe, about 74.5 km per degree of longitude.
#   a ── b ── c ── d       (b is a village: no overnight stop)
#    \            /
#     e ─────────          (a longer way round)
#   f: a town no road reaches
NODES = {
    "a": (60.0, 48.0, True), "b": (61.0, 48.0, False), "c": (62.0, 48.0, True),
    "d": (63.0, 48.0, True), "e": (61.5, 49.0, True), "f": (66.0, 48.0, True),
}
EDGES = [("a", "b", 75), ("b", "c", 75), ("c", "d", 75), ("a", "e", 140), ("e", "d", 160)]

# Sights with the columns of SIGHTS_SQL: near b (5 km), 60 km north of c, near d (10 km),
# and beside e (on the long way round, not taken).
SIGHTS_SQL = """
SELECT * FROM (VALUES
  ('monuments', 1::bigint, 'Б', 'Б', 'Near b', 'architecture', 3, false, true, false,
   ST_SetSRID(ST_MakePoint(61.0, 48.045), 4326)),
  ('monuments', 2::bigint, 'C', 'C', 'Far north of c', 'architecture', 3, false, true, false,
   ST_SetSRID(ST_MakePoint(62.0, 48.54), 4326)),
  ('nature', 3::bigint, 'D', 'D', 'Lake near d', 'lake', 1, true, false, true,
   ST_SetSRID(ST_MakePoint(62.9, 47.91), 4326)),
  ('nature', 4::bigint, 'E', 'E', 'Beside e', 'lake', 2, true, false, false,
   ST_SetSRID(ST_MakePoint(61.5, 49.01), 4326))
) AS s(layer, id, name_kk, name_ru, name_en, category, significance_rank, is_nature, unesco,
       approximate, geom)
"""


@pytest.fixture
def graph():
    network = RoadNetwork.objects.create(slug="test-small", kind=RoadNetwork.Kind.TEST,
                                         title="test graph")
    nodes = {key: RoadNode.objects.create(network=network, key=key, name_en=key.upper(),
                                          name_kk=key.upper(), is_town=town,
                                          geom=f"SRID=4326;POINT({lon} {lat})")
             for key, (lon, lat, town) in NODES.items()}
    for a, b, km in EDGES:
        RoadEdge.objects.create(network=network, source=nodes[a].pk, target=nodes[b].pk,
                                cost=km, reverse_cost=km, road=f"{a}{b}",
                                length_source="cited",
                                geom=f"SRID=4326;LINESTRING({nodes[a].geom.x} {nodes[a].geom.y},"
                                     f" {nodes[b].geom.x} {nodes[b].geom.y})")
    return network


def plan(graph, start="a", end="d", **options):
    return plan_trip(TripRequest(start=start, end=end, network=graph, sights_sql=SIGHTS_SQL,
                                 **options))


def test_shortest_route(graph):
    trip = plan(graph)
    assert [s["key"] for s in trip.stops] == ["a", "b", "c", "d"]
    assert trip.km == 225
    # The line runs from a to d, each edge oriented along the trip.
    line = trip.line_coordinates()
    assert line[0] == [60.0, 48.0] and line[-1] == [63.0, 48.0]
    # Backwards it is the same way reversed.
    assert [s["key"] for s in plan(graph, "d", "a").stops] == ["d", "c", "b", "a"]


def test_sights_in_the_corridor_and_not_outside_it(graph):
    trip = plan(graph, corridor_km=30)
    assert [s["name"] for s in trip.sights] == ["Near b", "Lake near d"]  # rank, then distance
    near_b = trip.sights[0]
    assert near_b["off_route_km"] == pytest.approx(5.0, abs=0.2)
    assert near_b["detour_km"] == pytest.approx(2 * near_b["off_route_km"], abs=0.11)
    assert near_b["km_along"] == pytest.approx(75, abs=2)
    # A wider corridor takes in the sight 60 km north; the one off the long way never comes.
    wide = plan(graph, corridor_km=70)
    assert {s["id"] for s in wide.sights} == {1, 2, 3}


def test_interests_narrow_the_sights(graph):
    assert [s["id"] for s in plan(graph, interests=Interests(unesco_only=True)).sights] == [1]
    assert [s["id"] for s in plan(graph, interests=Interests(nature_only=True)).sights] == [3]
    assert [s["id"] for s in plan(graph, interests=Interests(categories=("lake",))).sights] == [3]


def test_day_splits_respect_the_limit(graph):
    trip = plan(graph, km_per_day=160)
    assert [(d.start["key"], d.end["key"]) for d in trip.days] == [("a", "c"), ("c", "d")]
    assert all(d.km <= 160 and not d.over_limit for d in trip.days)
    # Each day but the last ends in a town.
    assert all(d.end["is_town"] for d in trip.days)
    # Sights are listed on the day that passes them.
    assert [s["id"] for s in trip.days[0].sights] == [1]
    assert [s["id"] for s in trip.days[1].sights] == [3]


def test_a_day_with_no_town_within_the_limit_says_so(graph):
    trip = plan(graph, km_per_day=100)
    first = trip.days[0]
    # The village b (75 km) is no overnight stop and c is 150 km away: the day goes on to c.
    assert (first.start["key"], first.end["key"], first.km) == ("a", "c", 150)
    assert first.over_limit
    assert not trip.days[1].over_limit
    assert any("limit" in note for note in trip.notes)


def test_a_number_of_days(graph):
    trip = plan(graph, days=2)
    assert len(trip.days) == 2
    assert trip.days[0].end["key"] == "c"


def test_unreachable_destination_is_a_clear_409(graph):
    with pytest.raises(Unreachable) as caught:
        plan(graph, "a", "f")
    assert caught.value.status == 409
    assert "No road" in caught.value.message and "F" in caught.value.message


def test_notes_say_what_the_route_does_not_know(graph):
    notes = " ".join(plan(graph).notes)
    assert "twice the straight distance" in notes
    assert "approximate" in notes  # the lake's position is approximate


# --- the shipped schematic graph, over HTTP -----------------------------------------------

def get_json(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content[:500]
    return json.loads(response.content)


def test_aktau_to_almaty_follows_the_western_and_southern_corridors(client):
    plan_ = get_json(client, "/api/routes/plan", start="aktau", end="almaty", km_per_day=600)
    keys = [s["key"] for s in plan_["stops"]]
    # Aktau – Beineu – Atyrau (no road across the Ustyurt to the Aral in the graph), up to
    # Aktobe, then the Western Europe–Western China corridor south-east.
    corridor = ["aktau", "beineu", "atyrau", "aktobe", "kyzylorda", "shymkent", "taraz",
                "almaty"]
    positions = [keys.index(city) for city in corridor]
    assert positions == sorted(positions), keys
    assert 3000 < plan_["km"] < 3600
    assert all(day["km"] <= 600 or day["over_limit"] for day in plan_["days"])


def test_west_to_east_preset_over_http(client):
    plan_ = get_json(client, "/api/routes/plan", preset="west-east", km_per_day=500)
    assert plan_["start"]["key"] == "aktau" and plan_["end"]["key"] == "oskemen"
    route = plan_["geojson"]["features"][0]
    assert route["geometry"]["type"] == "LineString"
    assert route["geometry"]["coordinates"][0] == pytest.approx([51.168222, 43.635336])
    assert route["geometry"]["coordinates"][-1] == pytest.approx([82.627479, 49.948444])
    days = plan_["days"]
    assert days[0]["from_key"] == "aktau" and days[-1]["to_key"] == "oskemen"
    assert all(day["km"] <= 500 or day["over_limit"] for day in days)
    towns = {s["key"] for s in plan_["stops"] if s["is_town"]}
    assert all(day["to_key"] in towns for day in days)
    assert any("schematic" in note for note in plan_["notes"])
    assert plan_["links"]["gpx"].startswith("/api/routes/plan.gpx?")


def test_unreachable_destination_over_http(client):
    # Usharal–Dostyk is cut off from the rest of the schematic graph.
    error = get_json(client, "/api/routes/plan", 409, start="almaty", end="dostyk")
    assert "No road" in error["error"] and error["field"] == "end"


@pytest.mark.parametrize("params, status, message", [
    ({"start": "aktau"}, 400, "Pick a start and an end"),
    ({"start": "aktau", "end": "atlantis"}, 400, "atlantis is not a town"),
    ({"preset": "south-pole"}, 400, "preset must be one of"),
    ({"preset": "west-east", "days": "two"}, 400, "days must be a number"),
    ({"preset": "west-east", "days": "0"}, 400, "between 1 and"),
    ({"preset": "west-east", "days": "3", "km_per_day": "400"}, 400, "not both"),
    ({"preset": "west-east", "km_per_day": "5"}, 400, "between 50 and"),
    ({"preset": "west-east", "corridor_km": "500"}, 400, "corridor"),
    ({"start": "aktau", "end": "aktau"}, 400, "the same town"),
    ({"start": "Aktau!", "end": "almaty"}, 400, "town's key"),
    ({"preset": "west-east", "interest": "lake; drop"}, 400, "kind of sight"),
    ({"preset": "west-east", "interest": ["lake", "castles"]}, 400,
     "castles is not a kind of sight; choose among:"),
    ({"preset": "west-east", "corridor_km": "nan"}, 400, "corridor"),
    ({"preset": "west-east", "km_per_day": "inf"}, 400, "between 50 and"),
])
def test_bad_plans_get_a_clear_error(client, params, status, message):
    assert message in get_json(client, "/api/routes/plan", status, **params)["error"]


def test_towns_list(client):
    towns = get_json(client, "/api/routes/towns")["towns"]
    keys = {t["key"] for t in towns}
    assert {"aktau", "oskemen", "petropavl", "shymkent", "almaty"} <= keys
    assert "khorgos" not in keys  # a border crossing is no overnight stop


def test_days_are_the_fewest_and_then_the_most_even():
    from layers.routes.planner import split_into_days

    def stop(key, km, town=True):
        return {"key": key, "name": key, "km": km, "is_town": town, "lon": 0, "lat": 0}

    stops = [stop("a", 0), stop("b", 120), stop("c", 190), stop("v", 250, town=False),
             stop("d", 300)]
    days = split_into_days(stops, 200)
    # Two days either way; 120 + 180 is more even than 190 + 110.
    assert [(d.start["key"], d.end["key"], d.km) for d in days] == [("a", "b", 120),
                                                                    ("b", "d", 180)]
    assert split_into_days(stops, 300)[0].end["key"] == "d"  # one day when it fits
