"""Investment projects committed with the reference data for the layer contract
(tests/layers/test_contract.py): 16 inside Almaty city and one at each of 16 settlements of the
south-east, at every status, with sample employment indicators of their settlements."""

from decimal import Decimal

from django.db import connection, transaction

from layers.areas.models import Settlement
from layers.core.tagging import tag_rows
from layers.investments.actions import refresh_project_employment
from layers.investments.models import (
    InvestmentProject,
    Position,
    Sector,
    SettlementEmployment,
)

Status = InvestmentProject.Status
REFERENCE_PREFIX = "contract-"
CONTRACT_SOURCE = "contract test data (sample values)"


@transaction.atomic
def load() -> int:
    if InvestmentProject.objects.filter(reference__startswith=REFERENCE_PREFIX).exists():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT s.id, ST_X(p.geom), ST_Y(p.geom) FROM areas_settlement s
            JOIN areas_adminarea a ON a.kato = '750000000'
            JOIN areas_boundarygeneration g ON g.id = a.generation_id AND g.is_current
            CROSS JOIN LATERAL (SELECT (ST_Dump(ST_GeneratePoints(
                ST_Intersection(a.geom, ST_MakeEnvelope(76.85, 43.18, 76.98, 43.30, 4326)),
                16, 7))).geom) p
            WHERE s.kato = '750000000'
            UNION ALL
            SELECT * FROM (SELECT s.id, ST_X(s.geom), ST_Y(s.geom) FROM areas_settlement s
                WHERE s.geom && ST_MakeEnvelope(75, 43, 79, 45.5, 4326)
                AND s.kato NOT LIKE '75%%' ORDER BY s.kato DESC LIMIT 16) south_east
        """)
        rows = cursor.fetchall()
    settlements = Settlement.objects.in_bulk({row[0] for row in rows})
    statuses = Status.values
    sectors = Sector.values
    projects = []
    for n, (settlement_id, lon, lat) in enumerate(rows):
        settlement = settlements[settlement_id]
        projects.append(InvestmentProject(
            title_kk=f"Сынақ инвестиция жобасы {n}", title_ru=f"Тестовый инвестпроект {n}",
            title_en=f"Test investment project {n}", sector=sectors[n % len(sectors)],
            investment_needed=Decimal(5_000_000 + 750_000 * n).quantize(Decimal("0.01")),
            jobs_created=3 + n % 17, status=statuses[n % len(statuses)],
            settlement=settlement, settlement_kato=settlement.kato,
            geom=f"SRID=4326;POINT({lon!r} {lat!r})",
            responsible_name="Contract Official",
            responsible_position=Position.HEAD_OF_DEPARTMENT,
            reference=f"{REFERENCE_PREFIX}{n}"))
    InvestmentProject.objects.bulk_create(projects)
    for n, settlement_id in enumerate(sorted(settlements)):
        SettlementEmployment.objects.get_or_create(
            settlement_id=settlement_id, year=2024,
            defaults={"working_age_population": 1000, "employed": 900 - n,
                      "unemployed": 100 + n,
                      "unemployment_rate": Decimal(100 + n) / 10,
                      "source": CONTRACT_SOURCE,
                      # Almaty's is a sample: the tile over it carries the sample label.
                      "is_sample": n % 2 == 0 or settlements[settlement_id].kato == "750000000"})
    tag_rows(InvestmentProject, pks=[project.pk for project in projects])
    refresh_project_employment(settlement_ids=list(settlements))
    return len(projects)
