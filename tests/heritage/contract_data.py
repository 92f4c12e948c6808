"""Rows of the two heritage layers committed with the reference data for a test run: the
shared sights and nature files through the importer, and a few clearly synthetic monuments
and recreational sites inside Almaty city (the layer contract reads Almaty and its bbox)."""

from django.contrib.gis.geos import Point
from django.db import connection, transaction

from layers.heritage.importer import import_shared_data
from layers.heritage.models import Dataset, Monument, NaturalSite

CONTRACT_DATASET = "contract-rows"
KINDS = list(Monument.Kind.values)
ERAS = ["medieval", "soviet", "independence", "imperial"]
SIGNIFICANCE = ["local", "republican", "local", "unesco"]


def _almaty_points(count: int, seed: int) -> list[tuple[float, float]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_X(p.geom), ST_Y(p.geom) FROM (
                 SELECT (ST_Dump(ST_GeneratePoints(a.geom, %s, %s))).geom
                 FROM areas_adminarea a JOIN areas_boundarygeneration g
                   ON g.id = a.generation_id AND g.is_current
                 WHERE a.kato = '750000000') p""", [count, seed])
        return cursor.fetchall()


@transaction.atomic
def load() -> int:
    if Dataset.objects.filter(code=CONTRACT_DATASET).exists():
        return 0
    import_shared_data(commit=True)
    dataset = Dataset.objects.create(code=CONTRACT_DATASET, title="Contract test rows",
                                     licence="none", attribution="synthetic test rows")
    created = 0
    for n, (lon, lat) in enumerate(_almaty_points(14, 5)):
        Monument.objects.create(
            name_kk=f"Сынақ ескерткіші {n}", name_ru=f"Тестовый памятник {n}",
            name_en=f"Contract monument {n}", kind=KINDS[n % len(KINDS)],
            significance=SIGNIFICANCE[n % 4], era=ERAS[n % 4], dataset=dataset,
            register_number=f"CT-{n:03d}" if n % 2 else "", source_key=f"{CONTRACT_DATASET}:{n}",
            geom=Point(lon, lat, srid=4326), position_approximate=n % 3 == 0)
        created += 1
    for n, (lon, lat) in enumerate(_almaty_points(14, 9)):
        NaturalSite.objects.create(
            name_kk=f"Сынақ демалыс орны {n}", name_ru=f"Тестовое место отдыха {n}",
            name_en=f"Contract recreational site {n}", kind=NaturalSite.Kind.RECREATIONAL,
            significance="local", dataset=dataset, source_key=f"{CONTRACT_DATASET}:{n}",
            geom=Point(lon, lat, srid=4326), position_approximate=False)
        created += 1
    return created
