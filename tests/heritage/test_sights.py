"""SIGHTS_SQL: the road-trip planner's view of both heritage layers."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection

from layers.heritage.models import Monument, NaturalSite
from layers.heritage.sights import SIGHTS_SQL

pytestmark = pytest.mark.django_db


def sights():
    with connection.cursor() as cursor:
        cursor.execute(f"WITH sights AS ({SIGHTS_SQL}) SELECT layer, id, name_en, category, "
                       "significance_rank, is_nature, unesco, approximate, "
                       "ST_GeometryType(geom), ST_X(geom), ST_Y(geom) FROM sights "
                       "WHERE name_en LIKE 'Sight test %' ORDER BY name_en")
        return cursor.fetchall()


def test_one_row_per_published_sight_of_both_layers():
    Monument.objects.create(name_kk="a", name_ru="a", name_en="Sight test A", kind="memorial",
                            significance="unesco", geom=Point(76.95, 43.25, srid=4326),
                            position_approximate=False)
    Monument.objects.create(name_kk="h", name_ru="h", name_en="Sight test hidden",
                            kind="memorial", geom=Point(76.95, 43.25, srid=4326),
                            is_published=False)
    lake = Polygon(((77.0, 43.0), (77.2, 43.0), (77.2, 43.2), (77.0, 43.2), (77.0, 43.0)),
                   srid=4326)
    site = NaturalSite.objects.create(name_kk="b", name_ru="b", name_en="Sight test B",
                                      kind="lake", significance="republican",
                                      geom=MultiPolygon(lake, srid=4326))
    rows = sights()
    assert [r[0] for r in rows] == ["monuments", "nature"]
    monument, nature = rows
    assert monument[3:9] == ("memorial", 3, False, True, False, "ST_Point")
    assert nature[1] == site.pk
    assert nature[3:9] == ("lake", 2, True, False, True, "ST_Point")
    assert lake.contains(Point(nature[9], nature[10], srid=4326))
