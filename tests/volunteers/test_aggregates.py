"""Low zooms of the volunteers map come from per-area counts of the public list kept current by
the database: they follow every sign-up, edit, pause, return, departure and move, count
exactly what the list returns for the same filters (hours too), fall back to the cards for
"near me" and the box, and never show an area with fewer cards than the privacy threshold."""

import itertools
from collections import Counter
from urllib.parse import urlencode

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory

from layers.areas.models import AdminArea
from layers.core.registry import layer_registry
from layers.volunteers import actions
from layers.volunteers.aggregates import AGGREGATE_MAX_ZOOM
from layers.volunteers.filters import VolunteerCardFilterSet
from layers.volunteers.models import VolunteerAreaCount, VolunteerAreaTotal, VolunteerCard
from tests.help.test_privacy import tile_xy
from tiles.sql import render_tile

from .conftest import OBLAST, OKRUG_A, OKRUG_B, enter, questionnaire

pytestmark = pytest.mark.django_db
SLUG = "volunteers"
K = settings.TZ_PRIVACY_MIN_GROUP
DISTRICT = OKRUG_A[:4] + "00000"
CARD_PROPERTIES = {"age", "gender", "directions", "has_car"}


def cells_of_the_list() -> Counter:
    """The counts recomputed from the public list: each card once per map level, at its area
    of that level or the wider area it is shown at."""
    expected = Counter()
    for card in VolunteerCard.objects.all():
        for level, area_id in (("oblast", card.oblast_id),
                               ("district", card.district_id or card.oblast_id),
                               ("okrug", card.okrug_id or card.district_id or card.oblast_id)):
            if area_id is not None:
                expected[(level, area_id, card.age_shown, card.has_car, tuple(card.directions),
                          tuple(card.languages), tuple(card.days))] += 1
    return expected


def stored_cells() -> Counter:
    stored = Counter()
    for cell in VolunteerAreaCount.objects.all():
        assert cell.count > 0, cell  # emptied cells are dropped
        key = (cell.level, cell.area_id, cell.age_shown, cell.has_car, tuple(cell.directions),
               tuple(cell.languages), tuple(cell.days))
        assert key not in stored
        stored[key] = cell.count
    return stored


def cells_here():
    """Cells of North Kazakhstan, where these tests place their volunteers."""
    return VolunteerAreaCount.objects.filter(area__kato__startswith=OBLAST[:2])


def assert_counts_follow_the_list():
    expected = cells_of_the_list()
    assert stored_cells() == expected
    totals = Counter()
    for (level, area_id, *_values), count in expected.items():
        totals[(level, area_id)] += count
    stored = {(t.level, t.area_id): t.count for t in VolunteerAreaTotal.objects.all()}
    assert stored == dict(totals)


def area_point(kato: str) -> tuple[float, float]:
    """Where an area's count is drawn: a point on its surface."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface("
                       "COALESCE(geom_simplified, geom)) p FROM areas_adminarea a JOIN "
                       "areas_boundarygeneration g ON g.id = a.generation_id "
                       "WHERE g.is_current AND a.kato = %s) s", [kato])
        return cursor.fetchone()


def features(client, lon, lat, z, query=""):
    """The tile's features; every count in any tile of this module is checked against the
    threshold here."""
    x, y = tile_xy(lon, lat, z)
    response = client.get(f"/tiles/{SLUG}/{z}/{x}/{y}.mvt{query}")
    assert response.status_code in (200, 204), response.content
    if response.status_code == 204:
        return []
    found = mapbox_vector_tile.decode(response.content).get(SLUG, {}).get("features", [])
    for feature in found:
        properties = feature["properties"]
        if "count" in properties:
            assert set(properties) == {"count", "level", "kato", "name"}, properties
            assert properties["count"] >= K, (z, query, properties)
        else:
            assert set(properties) <= CARD_PROPERTIES, properties
    return found


def area_counts(client, kato, z, query=""):
    """Counts drawn in the tile holding the area's point, by KATO code."""
    return {f["properties"]["kato"]: f["properties"]["count"]
            for f in features(client, *area_point(kato), z, query)
            if "count" in f["properties"]}


def listed(client, kato, query="") -> list[dict]:
    """The public list's cards in an area for the same filters."""
    separator = "&" if query else "?"
    response = client.get(f"/api/layers/{SLUG}/{query or ''}{separator}area={kato}&limit=1000")
    assert response.status_code == 200, response.content
    return response.json()["features"]


def test_counts_follow_sign_up_edit_pause_return_leave_and_moves(client, oblast_officer,
                                                                 places):
    assert not cells_here().exists()
    women = [enter(oblast_officer, n, places["a1" if n % 2 else "a2"]) for n in range(K)]
    assert_counts_follow_the_list()
    assert area_counts(client, OKRUG_A, 8) == {OKRUG_A: K}
    assert area_counts(client, DISTRICT, 6)[DISTRICT] == K
    assert area_counts(client, OBLAST, 4)[OBLAST] == K

    # An edit moves the card between cells; the okrug's total stays.
    edited = questionnaire(0, places["a2"], directions=["care"], has_car=True, car_seats=2)
    actions.update_questionnaire(user=oblast_officer, volunteer=women[0], data=edited)
    assert_counts_follow_the_list()
    assert area_counts(client, OKRUG_A, 8) == {OKRUG_A: K}
    assert OKRUG_A not in area_counts(client, OKRUG_A, 8, "?direction=care")
    assert area_counts(client, OKRUG_A, 8, "?direction=care&direction=teaching") == {OKRUG_A: K}

    # A pause leaves four: too few to show anyone, so the list and the counts lose all five.
    actions.pause(user=oblast_officer, volunteer=women[1])
    assert not VolunteerCard.objects.filter(oblast__kato=OBLAST).exists()
    assert not cells_here().exists()
    assert_counts_follow_the_list()
    for kato, z in ((OBLAST, 4), (DISTRICT, 6), (OKRUG_A, 8)):
        assert kato not in area_counts(client, kato, z), z
    actions.resume(user=oblast_officer, volunteer=women[1])
    assert_counts_follow_the_list()
    assert area_counts(client, OKRUG_A, 8) == {OKRUG_A: K}

    # Five men of okrug B, then one of them moves to okrug A: too few in either okrug, the
    # five are shown together at district level, and counted at the district's point.
    men = [enter(oblast_officer, 20 + n, places["b"], birth_year=1980, gender="m")
           for n in range(K)]
    assert_counts_follow_the_list()
    assert area_counts(client, OKRUG_B, 8) == {OKRUG_B: K}
    moved = questionnaire(20, places["a1"], birth_year=1980, gender="m")
    actions.update_questionnaire(user=oblast_officer, volunteer=men[0], data=moved)
    assert_counts_follow_the_list()
    assert VolunteerCard.objects.filter(place_kato=DISTRICT).count() == K
    assert OKRUG_B not in area_counts(client, OKRUG_B, 8)
    assert area_counts(client, DISTRICT, 8)[DISTRICT] == K
    assert area_counts(client, DISTRICT, 6)[DISTRICT] == 2 * K
    assert area_counts(client, OBLAST, 4)[OBLAST] == 2 * K

    # Leaving erases the questionnaire and its card: four women are too few again.
    actions.leave(user=oblast_officer, volunteer=women[2])
    assert_counts_follow_the_list()
    assert OKRUG_A not in area_counts(client, OKRUG_A, 8)
    assert area_counts(client, OBLAST, 4)[OBLAST] == K


@pytest.fixture
def built(oblast_officer, places):
    """Okrug A: fourteen women of 25-34 with varied offers; okrug B: six men of 45-59 who
    drive and do physical work; another district: two people (suppressed)."""
    for i in range(14):
        enter(oblast_officer, i, places["a1" if i % 2 else "a2"],
              directions=["teaching"] if i % 2 else ["care", "teaching"], has_car=i < 6,
              languages=["kk", "en"] if i % 3 == 0 else ["ru"],
              slots=actions.slots_for([0, 1] if i < 8 else [5], range(9, 12)))
    for i in range(6):
        enter(oblast_officer, 20 + i, places["b"], birth_year=1980, gender="m",
              directions=["physical"], has_car=True, car_seats=3)
    for i in range(2):
        enter(oblast_officer, 30 + i, places["other"], birth_year=1950, gender="m")
    assert_counts_follow_the_list()


QUERIES = (
    "", "?direction=care", "?direction=physical", "?direction=care&direction=physical",
    "?car=true", "?car=false", "?language=en", "?language=en&car=true", "?language=ru",
    "?day=5", "?day=0&direction=physical", "?day=0&day=5&car=false", "?age=25-34",
    "?age=16-34", "?age=45-59&age=25-34&car=true", "?direction=teaching&language=kk&day=1",
    "?hour_from=9&hour_to=10&day=5", "?hour_from=18", "?hour_to=9&direction=care",
    "?day=0&day=5&hour_from=8&hour_to=12&car=true",
)


def test_aggregate_tiles_count_what_the_list_returns(client, built):
    checked = Counter()
    for query in QUERIES:
        for kato, z in ((OBLAST, 4), (OBLAST, 5), (DISTRICT, 6), (DISTRICT, 7), (OKRUG_A, 8),
                        (OKRUG_A, 9), (OKRUG_B, 8)):
            expected = len(listed(client, kato, query))
            shown = area_counts(client, kato, z, query)
            if expected >= K:
                assert shown.get(kato) == expected, (kato, z, query)
                checked["shown"] += 1
            else:  # below the threshold the area is left out, even if the list has some
                assert kato not in shown, (kato, z, query, expected)
                checked["left out"] += 1
    assert checked["shown"] > 30 and checked["left out"] > 10, checked


def test_area_filter_narrows_the_counts_like_the_list(client, built):
    # area= of an okrug at z4 shows that okrug alone, not the oblast.
    assert area_counts(client, OKRUG_A, 4, f"?area={OKRUG_A}") == {OKRUG_A: 14}
    assert area_counts(client, OKRUG_B, 5, f"?area={OKRUG_B}&car=true") == {OKRUG_B: 6}
    assert OKRUG_A not in area_counts(client, OKRUG_A, 8, f"?area={OKRUG_B}")
    district = area_counts(client, DISTRICT, 4, f"?area={DISTRICT}&car=true")
    assert district == {DISTRICT: len(listed(client, DISTRICT, "?car=true"))} == {DISTRICT: 12}
    # A bad code or a bad value is refused as on the list, not drawn from the counts.
    x, y = tile_xy(*area_point(OBLAST), 4)
    assert client.get(f"/tiles/{SLUG}/4/{x}/{y}.mvt?area=12").status_code == 400
    assert client.get(f"/api/layers/{SLUG}/?direction=nonsense").status_code == 400
    assert client.get(f"/tiles/{SLUG}/4/{x}/{y}.mvt?direction=nonsense").status_code == 400


def test_hours_are_counted_and_near_me_draws_the_cards(client, built):
    card = VolunteerCard.objects.filter(place_kato=OKRUG_A).first()
    hours = "?hour_from=9&hour_to=10&day=5"
    expected = {f["id"] for f in listed(client, OKRUG_A, hours)}
    assert len(expected) == 6
    assert area_counts(client, OKRUG_A, 8, hours) == {OKRUG_A: 6}
    # "Near me" is not in the counts: the tile draws the matching cards themselves.
    near = f"{hours}&near={card.geom.x},{card.geom.y}&within=5"
    for z in (4, 8):
        drawn = features(client, card.geom.x, card.geom.y, z, near)
        assert drawn and all("count" not in f["properties"] for f in drawn)
        assert expected <= {f["id"] for f in drawn}
    # Above the aggregate zooms the tile always holds the cards.
    for z in (AGGREGATE_MAX_ZOOM + 1, 14):
        drawn = features(client, card.geom.x, card.geom.y, z)
        assert {f["id"] for f in drawn} >= {f["id"] for f in listed(client, OKRUG_A)}
        assert all("count" not in f["properties"] for f in drawn)
    drawn = features(client, *area_point(OKRUG_A), AGGREGATE_MAX_ZOOM)
    assert drawn and all("count" in f["properties"] for f in drawn)


def test_no_filter_combination_shows_a_count_the_list_would_not(built):
    """Every combination of the filters the counts answer, at each level: the tile's counts are
    exactly the list's cards per area for those filters, and none is below the threshold."""
    layer = layer_registry.get(SLUG)
    cards = VolunteerCard.objects.all()
    options = {
        "direction": [None, "care", "physical"],
        "day": [None, "0", "5"],
        "hours": [None, ("9", "10"), ("18", "24")],
        "car": [None, "true", "false"],
        "language": [None, "en"],
        "age": [None, "25-34"],
    }
    areas = {kato: (AdminArea.objects.get(generation__is_current=True, kato=kato).pk,
                    area_point(kato)) for kato in (OBLAST, DISTRICT, OKRUG_A, OKRUG_B)}
    # Each area in the tile holding its point, at a zoom of its level; the district also at
    # an okrug zoom, where it stands for the cards shown at district level.
    views = ((4, "oblast", OBLAST), (6, "district", DISTRICT), (8, "okrug", OKRUG_A),
             (8, "okrug", OKRUG_B), (8, "okrug", DISTRICT))
    shown = Counter()
    for values in itertools.product(*options.values()):
        query = {name: value for name, value in zip(options, values, strict=True) if value}
        if "hours" in query:
            query["hour_from"], query["hour_to"] = query.pop("hours")
        matching = VolunteerCardFilterSet(QueryDict(urlencode(query)), queryset=cards).qs
        for z, level, kato in views:
            expected = Counter(
                getattr(card, f"{level}_id") or card.district_id or card.oblast_id
                for card in matching)
            request = RequestFactory().get("/tiles/", query)
            request.user = AnonymousUser()
            area_id, (lon, lat) = areas[kato]
            x, y = tile_xy(lon, lat, z)
            data = render_tile(layer, request, z, x, y)
            drawn = mapbox_vector_tile.decode(data).get(SLUG, {}).get("features", []) \
                if data else []
            for feature in drawn:
                properties = feature["properties"]
                assert properties["count"] >= K, (query, z, properties)
                assert properties["count"] == expected[feature["id"]], (query, z, properties)
                shown[properties["level"]] += 1
            drawn_ids = {feature["id"] for feature in drawn}
            assert (area_id in drawn_ids) == (expected[area_id] >= K), (query, z, kato)
    assert shown["oblast"] and shown["district"] and shown["okrug"], shown
