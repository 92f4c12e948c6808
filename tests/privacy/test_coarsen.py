import math

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from gis_portal.privacy.coarsen import (
    EARTH_RADIUS_M,
    coarsen_point,
    offset_for,
    public_distance_sql,
)

# A village centre in Almaty oblast (lon, lat).
ANCHOR = Point(77.05, 43.35, srid=4326)


def haversine_m(a: Point, b: Point) -> float:
    phi1, phi2 = math.radians(a.y), math.radians(b.y)
    dphi, dlam = phi2 - phi1, math.radians(b.x - a.x)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def test_same_seed_same_point():
    first = coarsen_point(ANCHOR, "help:42")
    assert coarsen_point(Point(77.05, 43.35, srid=4326), "help:42").equals_exact(first, 1e-12)
    assert first.srid == 4326


def test_points_stay_in_the_annulus():
    for i in range(300):
        point = coarsen_point(ANCHOR, f"help:{i}", min_m=150, max_m=600)
        assert 149.5 <= haversine_m(ANCHOR, point) <= 600.5


def test_two_records_of_one_village_do_not_stack():
    a, b = coarsen_point(ANCHOR, "help:1"), coarsen_point(ANCHOR, "help:2")
    assert haversine_m(a, b) > 1.0
    points = {(round(p.x, 6), round(p.y, 6))
              for p in (coarsen_point(ANCHOR, f"help:{i}") for i in range(200))}
    assert len(points) == 200


def test_offsets_spread_over_all_directions_and_depend_on_the_key(settings):
    bearings = [offset_for(f"v:{i}")[0] for i in range(400)]
    quadrants = {int(b // 90) for b in bearings}
    assert quadrants == {0, 1, 2, 3}
    before = coarsen_point(ANCHOR, "help:7")
    settings.TZ_PRIVACY_INDEX_KEY = "another-index-key-of-enough-length-000"
    assert not coarsen_point(ANCHOR, "help:7").equals_exact(before, 1e-9)


def test_anchor_in_another_srid_is_transformed():
    mercator = ANCHOR.transform(3857, clone=True)
    assert coarsen_point(mercator, "help:5").equals_exact(coarsen_point(ANCHOR, "help:5"), 1e-7)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        coarsen_point(ANCHOR, "")
    with pytest.raises(ValueError):
        coarsen_point(ANCHOR, "x", min_m=700, max_m=600)


@pytest.mark.django_db
def test_public_distances_are_rounded_and_never_zero(settings):
    settings.TZ_PRIVACY_DISTANCE_ROUND_M = 100
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {public_distance_sql('d')} FROM unnest(%s::float8[]) d",
                       [[1234.0, 1250.1, 3.0, 0.0, 149.9]])
        assert [row[0] for row in cursor.fetchall()] == [1200, 1300, 100, 100, 100]
