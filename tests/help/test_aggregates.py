"""Low zooms of the help map come from per-chain bitmaps kept current by the database: they
follow every publish, status change and archive, count exactly what the list's filters select
(every filter but "near me" and the box, which draw the requests), and never show an area with
fewer than the privacy threshold."""

import itertools
from datetime import date

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Count, Sum
from django.http import QueryDict

from layers.core.statements import STATEMENTS
from layers.help import actions
from layers.help.filters import HelpRequestFilterSet
from layers.help.layers import PUBLIC
from layers.help.models import HelpChainBitmap, HelpRequest, HelpStatCell

from .conftest import OKRUG_A, OKRUG_B, area, make
from .test_privacy import tile_xy

pytestmark = pytest.mark.django_db
SLUG = "help-requests"


def counted(kato: str, level: str = "okrug") -> int:
    cells = HelpStatCell.objects.filter(**{level: area(kato)})
    return cells.aggregate(n=Sum("count"))["n"] or 0


def request_keys(help_request) -> set[str]:
    """The bitmap keys of a request, written again here from its fields."""
    return ({f"topic:{help_request.topic}", f"kind:{help_request.kind_id}",
             f"status:{help_request.status}", f"age:{help_request.age_band}"}
            | {f"family:{tag}" for tag in help_request.family_tags})


def assert_bitmaps_match_rows(where: str):
    """Every chain's cell holds exactly its public requests in publication-date order
    (undated last) with their dates, and each bitmap has a bit per request, set when the
    request has that key; a key no request of the chain has has no bitmap."""
    public = HelpRequest.objects.filter(PUBLIC)
    for cell in HelpStatCell.objects.all():
        chain = public.filter(oblast_id=cell.oblast_id, district_id=cell.district_id,
                              okrug_id=cell.okrug_id)
        rows = {row.pk: row for row in chain}
        assert sorted(cell.request_ids) == sorted(rows), where
        assert len(cell.request_ids) == cell.count, where
        dates = [rows[pk].published_on for pk in cell.request_ids]
        dated = [day for day in dates if day is not None]
        assert dates == dated + [None] * (len(dates) - len(dated)), where  # undated last
        assert dated == sorted(dated) == cell.published_dates, where
        bitmaps = {b.key: b.bits for b in HelpChainBitmap.objects.filter(cell=cell)}
        wanted = {key for row in rows.values() for key in request_keys(row)}
        assert set(bitmaps) == wanted, where
        for key, bits in bitmaps.items():
            assert bits == "".join("1" if key in request_keys(rows[pk]) else "0"
                                   for pk in cell.request_ids), (where, key)
        assert all(b.okrug_id == cell.okrug_id and b.district_id == cell.district_id
                   and b.oblast_id == cell.oblast_id
                   for b in HelpChainBitmap.objects.filter(cell=cell)), where


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
    assert area_counts(client, OKRUG_A, 8, "?family=large_family") == {OKRUG_A: 6}
    assert area_counts(client, OKRUG_A, 8, "?family=large_family&family=lonely_pensioner"
                       ) == {OKRUG_A: 11}
    today = date.today().isoformat()
    assert area_counts(client, OKRUG_A, 8, f"?published_after={today}") == {OKRUG_A: 11}
    assert OKRUG_A not in area_counts(client, OKRUG_A, 8, "?published_before=2000-01-01")
    assert OKRUG_A not in area_counts(client, OKRUG_A, 8, "?status=helping")
    assert area_counts(client, OKRUG_A, 7, f"?area={OKRUG_A}") == {OKRUG_A: 11}
    # area= of an okrug at z4 shows that okrug, not the oblast.
    assert area_counts(client, OKRUG_A, 4, f"?area={OKRUG_A}") == {OKRUG_A: 11}
    # "Near me" is not in the counts: the tile draws the matching requests themselves.
    near = f"?near={settlement.geom.x},{settlement.geom.y}&within=30&family=large_family"
    points = features(client, settlement, 8, near)
    assert len(points) == 6
    assert all(set(f["properties"]) <= {"topic", "kind", "age_band", "status", "distance_km"}
               for f in points)
    # Above the threshold zoom the tile always holds the requests.
    assert all("count" not in f["properties"] for f in features(client, settlement, 10))


# Filters of the list, each with values that select different requests of `varied`.
FILTER_VALUES = {
    "topic": ["material", "labour"],
    "kind": ["firewood", "repairs"],
    "status": ["open", "helping"],
    "family": [["large_family"], ["disabled", "lonely_pensioner"]],
    "age_band": [["60-74"], ["18-34", "75+"]],
    "age_from": ["40"],
    "age_to": ["70"],
    "published_after": ["2026-03-01", "2026-06-15"],
    "published_before": ["2026-06-15", "2026-01-01"],
}


@pytest.fixture
def varied(oblast_officer, places):
    """Public requests of two okrugs with every filter value spread over them, dates from
    2025-12 to 2026-08 (some on the same day, one undated), some someone helping; drafts and
    fulfilled ones besides."""
    topics, kinds = ("material", "labour", "consultative"), ("firewood", "repairs", "food")
    families = (["large_family"], ["disabled"], [], ["lonely_pensioner", "disabled"])
    years = (1950, 1990, 2010, 1975, 1940)
    dates = [date(2025, 12, 20), date(2026, 3, 1), date(2026, 3, 1), date(2026, 6, 15),
             date(2026, 8, 2), None]
    made = []
    for n in range(36):
        settlement = places["a1"] if n % 3 else places["b"]
        request = make(oblast_officer, n, settlement, topic=topics[n % 3],
                       kind=kinds[(n // 3) % 3], family_tags=families[n % 4],
                       birth_year=years[n % 5], publish=n % 11 != 10)
        HelpRequest.objects.filter(pk=request.pk).update(published_on=dates[n % 6])
        if n % 7 == 0:
            actions.set_status(user=oblast_officer, help_request=request,
                               status=HelpRequest.Status.HELPING)
        if n % 13 == 12:
            actions.set_status(user=oblast_officer, help_request=request,
                               status=HelpRequest.Status.FULFILLED)
        made.append(request)
    return made


def area_counts_of_rows(query: QueryDict, level: str) -> dict[str, int]:
    """What the list's filters select of the public requests, grouped by area of `level`."""
    rows = HelpRequestFilterSet(query, queryset=HelpRequest.objects.filter(PUBLIC)).qs
    return {kato: n for kato, n in rows.values_list(f"{level}__kato").annotate(n=Count("pk"))
            if kato}


def test_every_filter_of_the_list_counts_at_low_zoom_what_the_list_selects(client, varied,
                                                                           settings):
    """Each filter alone and every pair of filters, at the okrug, district and oblast
    levels: the tile's counts are the list's rows grouped by area (the threshold at 1 here,
    so that no count is left out)."""
    settings.TZ_PRIVACY_MIN_GROUP = 1
    STATEMENTS.clear()  # statements kept with the usual threshold
    assert_bitmaps_match_rows("varied")
    single = [{name: value} for name, values in FILTER_VALUES.items() for value in values]
    pairs = [{**a, **b} for a, b in itertools.combinations(single, 2) if set(a) != set(b)]
    district = OKRUG_A[:4] + "00000"
    oblast = OKRUG_A[:2] + "0000000"
    seen = []
    for filters in [{}, *single, *pairs]:
        query = QueryDict(mutable=True)
        for name, value in filters.items():
            query.setlist(name, value if isinstance(value, list) else [value])
        for kato, z, level in ((OKRUG_A, 8, "okrug"), (OKRUG_B, 8, "okrug"),
                               (district, 6, "district"), (oblast, 4, "oblast")):
            expected = area_counts_of_rows(query, level).get(kato)
            shown = area_counts(client, kato, z, f"?{query.urlencode()}").get(kato)
            assert shown == expected, (filters, kato)
            seen.append(shown)
    assert len(seen) == 4 * (1 + len(single) + len(pairs))
    assert None in seen and len(set(seen)) > 10  # the filters select different requests
    STATEMENTS.clear()


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


def test_writers_of_one_chain_racing_each_other_keep_its_bitmaps_whole(django_db_blocker,
                                                                         places):
    """Sixteen sessions at once publish, move and date requests of one okrug (committed, each
    on its own connection): the trigger takes the chain's cell lock first, so no write is lost
    from the positions and bitmaps."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections
    from django.utils import timezone

    settlement, kind = places["a1"], "firewood"

    def in_own_session(function, *args):
        try:
            with django_db_blocker.unblock():
                return function(*args)
        finally:
            connections.close_all()

    def new_request(n, published=True):
        return HelpRequest.objects.create(
            topic=("material", "labour")[n % 2], kind_id=kind, age_band="60-74",
            family_tags=[("disabled", "orphan", "veteran")[n % 3]], status="open",
            published_on=date(2026, 1 + n % 12, 1 + n % 28), description="race",
            settlement=settlement, geom=settlement.geom,
            consent_at=timezone.now() if published else None,
            consent_method="written", is_published=published)

    def setup():
        return [new_request(n, published=n % 2 == 0).pk for n in range(8)]

    with ThreadPoolExecutor(1) as pool:
        made = pool.submit(in_own_session, setup).result()
    start = Barrier(16)

    def contender(n):
        def body():
            connection.ensure_connection()
            start.wait()
            if n < 8:  # publish the drafts, re-date and re-tag the published ones
                HelpRequest.objects.filter(pk=made[n]).update(
                    is_published=True, consent_at=timezone.now(),
                    published_on=date(2025, 12, 31 - n), family_tags=["large_family"])
                return made[n]
            return new_request(n).pk  # new requests of the same chain
        return in_own_session(body)

    try:
        with ThreadPoolExecutor(16) as pool:
            made += list(pool.map(contender, range(16)))

        def check():
            assert_bitmaps_match_rows("after the race")
            cell = HelpStatCell.objects.get(okrug=area(OKRUG_A), district=area(OKRUG_A).parent)
            assert cell.count == 16 and len(set(made)) == 16

        with ThreadPoolExecutor(1) as pool:
            pool.submit(in_own_session, check).result()
    finally:
        def remove():
            HelpRequest.objects.filter(pk__in=made).delete()  # the trigger empties the chain
            HelpStatCell.objects.filter(okrug=area(OKRUG_A), count=0).delete()

        with ThreadPoolExecutor(1) as pool:
            pool.submit(in_own_session, remove).result()
