"""Rows of the stand-in private layer, committed with the reference data for a test run.

Exact points: 40 inside Almaty city, one near each of 250 settlements of the south-east, 20
inside Astana. Public points: the exact ones snapped to a 0.01° grid. Every fourth row is
unpublished. Hidden names and amounts are distinctive so tests can search response bytes.
"""

from django.db import connection, transaction

from layers.core.tagging import tag_rows

from .layers import PUBLIC_GRID_DEGREES
from .models import StandInCase

CATEGORIES = ("food", "medicine", "transport")


def hidden_name(n: int) -> str:
    return f"Secretname{n:04d}"


def hidden_amount(n: int) -> int:
    return 7_310_000 + n * 7


@transaction.atomic
def load_standin_cases() -> int:
    if StandInCase.objects.exists():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH current_area AS (
                SELECT a.kato, a.geom FROM areas_adminarea a
                JOIN areas_boundarygeneration g ON g.id = a.generation_id AND g.is_current
            ),
            exact AS (
                SELECT (ST_Dump(ST_GeneratePoints(geom, 40, 7))).geom AS geom
                FROM current_area WHERE kato = '750000000'
                UNION ALL
                SELECT * FROM (
                    SELECT ST_Translate(s.geom, ((s.id * 7919) % 200 - 100) / 10000.0,
                                        ((s.id * 104729) % 200 - 100) / 10000.0)
                    FROM areas_settlement s
                    WHERE s.geom && ST_MakeEnvelope(75, 43, 79, 45.5, 4326)
                    ORDER BY s.kato LIMIT 250) near_settlements
                UNION ALL
                SELECT (ST_Dump(ST_GeneratePoints(geom, 20, 11))).geom
                FROM current_area WHERE kato = '710000000'
            )
            SELECT ST_X(geom), ST_Y(geom) FROM exact
            """
        )
        points = cursor.fetchall()
    rows = []
    for n, (lon, lat) in enumerate(points):
        rows.append(StandInCase(
            category=CATEGORIES[n % 3], household_size=1 + n % 6, published=n % 4 != 3,
            hidden_name=hidden_name(n), hidden_amount=hidden_amount(n),
            geom=f"SRID=4326;POINT({lon!r} {lat!r})",
        ))
    StandInCase.objects.bulk_create(rows)
    StandInCase.objects.update(public_geom=_snapped("geom"))
    tag_rows(StandInCase)
    return len(rows)


def _snapped(column):
    from django.contrib.gis.db.models import PointField
    from django.db.models import F, Func

    return Func(F(column), PUBLIC_GRID_DEGREES, function="ST_SnapToGrid",
                output_field=PointField(srid=4326))
