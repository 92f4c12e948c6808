"""Low zooms of the help map come from per-area counts kept current by the database: they
follow every publish, status change and archive, honour the filters they can answer, fall back
to the requests for the others, and never show an area with fewer than the privacy threshold."""

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Sum

from layers.help import actions
from layers.help.models import HelpAreaCount, HelpRequest

from .conftest import OKRUG_A, area, make
from .test_privacy import tile_xy

pytestmark = pytest.mark.django_db
SLUG = "help-requests"


def counted(kato: str, level: str = "okrug") -> int:
    rows = HelpAreaCount.objects.filter(level=level, area=area(kato))
    return rows.aggregate(n=Sum("count"))["n"] or 0


def features(client, settlement, z, query=""):
    x, y = tile_xy(settlement.geom.x, settlement.geom.y, z)
    response = client.get(f"/tiles/{SLUG}/{z}/{x}/{y}.mvt{query}")
    assert response.status_code in (200, 204), response.content
    if response.status_code == 204:
        return []
    return mapbox_vector_tile.decode(response.content).get(SLUG, {}).get("features", [])


class AreaPoint:
    """Where an area's count is drawn: a point on its surface."""

    def __init__(self, kato):
        with connection.cursor() as cursor:
            cursor.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface("
                           "COALESCE(geom_simplified, geom)) p FROM areas_adminarea a JOIN "
                           "areas_boundarygeneration g ON g.id = a.generation_id "
                           "WHERE g.is_current AND a.kato = %s) s", [kato])
            x, y = cursor.fetchone()
        self.geom = Point(x, y)


def area_counts(client, kato, z, query=""):
    """Counts drawn in the tile holding the area's point, by KATO code."""
    return {f["properties"]["kato"]: f["properties"]["count"]
            for f in features(client, AreaPoint(kato), z, query) if "count" in f["properties"]}


def test_counts_follow_create_publish_status_and_archive(client, oblast_officer, places):
    settlement = places["a1"]
    threshold = settings.TZ_PRIVACY_MIN_GROUP
    requests = [make(oblast_officer, n, settlement) for n in range(threshold)]
    draft = make(oblast_officer, 99, settlement, publish=False)
    assert counted(OKRUG_A) == threshold  # the unpublished draft is not counted
    assert area_counts(client, OKRUG_A, 8) == {OKRUG_A: threshold}

    actions.publish_request(user=oblast_officer, help_request=draft)
    assert counted(OKRUG_A) == threshold + 1
    assert area_counts(client, OKRUG_A, 8) == {OKRUG_A: threshold + 1}
    district = OKRUG_A[:4] + "00000"
    assert area_counts(client, district, 6)[district] == threshold + 1
    oblast = OKRUG_A[:2] + "0000000"
    assert area_counts(client, oblast, 4)[oblast] == threshold + 1

    # "Someone helping" still counts; fulfilled and archived requests do not.
    actions.set_status(user=oblast_officer, help_request=requests[0],
                       status=HelpRequest.Status.HELPING)
    assert counted(OKRUG_A) == threshold + 1
    actions.set_status(user=oblast_officer, help_request=requests[1],
                       status=HelpRequest.Status.FULFILLED)
    actions.set_status(user=oblast_officer, help_request=requests[2],
                       status=HelpRequest.Status.ARCHIVED)
    assert counted(OKRUG_A) == threshold - 1
    # Below the threshold the okrug leaves the tile (and so do its district and oblast).
    for kato, z in ((oblast, 4), (district, 6), (OKRUG_A, 8)):
        assert kato not in area_counts(client, kato, z), z


def test_filters_the_counts_answer_and_a_fall_back_to_points(client, oblast_officer, places):
    settlement = places["a1"]
    for n in range(5):
        make(oblast_officer, n, settlement, topic="material", kind="firewood")
    for n in range(5, 11):
        make(oblast_officer, n, settlement, topic="labour", kind="repairs", birth_year=1990,
             family_tags=["large_family"])
    assert area_counts(client, OKRUG_A, 8) == {OKRUG_A: 11}
    assert area_counts(client, OKRUG_A, 8, "?topic=labour") == {OKRUG_A: 6}
    assert area_counts(client, OKRUG_A, 8, "?kind=firewood") == {OKRUG_A: 5}
    assert area_counts(client, OKRUG_A, 8, "?age_to=40") == {OKRUG_A: 6}
    assert OKRUG_A not in area_counts(client, OKRUG_A, 8, "?status=helping")
    assert area_counts(client, OKRUG_A, 7, f"?area={OKRUG_A}") == {OKRUG_A: 11}
    # area= of an okrug at z4 shows that okrug, not the oblast.
    assert area_counts(client, OKRUG_A, 4, f"?area={OKRUG_A}") == {OKRUG_A: 11}
    # A filter the counts cannot answer: the tile draws the matching requests themselves.
    points = features(client, settlement, 8, "?family=large_family")
    assert len(points) == 6
    assert all(set(f["properties"]) <= {"topic", "kind", "age_band", "status"}
               for f in points)
    # Above the threshold zoom the tile always holds the requests.
    assert all("count" not in f["properties"] for f in features(client, settlement, 10))


def test_a_repeated_count_tile_runs_only_its_statement(client, oblast_officer, places,
                                                       django_assert_num_queries):
    """The filters are validated and the counts' SQL built once per request shape (the kind
    choices alone are a query): every later tile of that shape runs one statement."""
    settlement = places["a1"]
    for n in range(5):
        make(oblast_officer, n, settlement, topic="material", kind="firewood")
    point = AreaPoint(OKRUG_A).geom
    x, y = tile_xy(point.x, point.y, 8)
    url = f"/tiles/{SLUG}/8/{x}/{y}.mvt?kind=firewood&topic=material&area={OKRUG_A}"

    def okrug_count():
        features = mapbox_vector_tile.decode(client.get(url).content)[SLUG]["features"]
        return {f["properties"]["kato"]: f["properties"]["count"] for f in features}

    assert okrug_count() == {OKRUG_A: 5}
    with django_assert_num_queries(1):
        assert okrug_count() == {OKRUG_A: 5}
    make(oblast_officer, 5, settlement, topic="material", kind="firewood")
    with django_assert_num_queries(1):  # the kept statement counts what is there now
        assert okrug_count() == {OKRUG_A: 6}
