"""Social projects committed with the reference data for the layer contract
(tests/layers/test_contract.py): 24 inside Almaty city, one at each of 24 settlements of the
south-east, at every public stage and a few drafts and hidden ones that must never show."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from layers.areas.models import Settlement
from layers.core.tagging import tag_rows
from layers.projects.models import EstimateLine, SocialProject

Status = SocialProject.Status
Kind = SocialProject.Kind
REFERENCE_PREFIX = "contract-"
STAGES = (Status.PUBLISHED, Status.FUNDED, Status.IN_PROGRESS, Status.COMPLETED,
          Status.ARCHIVED, Status.PUBLISHED, Status.DRAFT, Status.HIDDEN)


@transaction.atomic
def load() -> int:
    if SocialProject.objects.filter(reference__startswith=REFERENCE_PREFIX).exists():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT s.id, ST_X(p.geom), ST_Y(p.geom) FROM areas_settlement s
            JOIN areas_adminarea a ON a.kato = '750000000'
            JOIN areas_boundarygeneration g ON g.id = a.generation_id AND g.is_current
            CROSS JOIN LATERAL (SELECT (ST_Dump(ST_GeneratePoints(
                ST_Intersection(a.geom, ST_MakeEnvelope(76.85, 43.18, 76.98, 43.30, 4326)),
                24, 5))).geom) p
            WHERE s.kato = '750000000'
            UNION ALL
            SELECT * FROM (SELECT s.id, ST_X(s.geom), ST_Y(s.geom) FROM areas_settlement s
                WHERE s.geom && ST_MakeEnvelope(75, 43, 79, 45.5, 4326)
                AND s.kato NOT LIKE '75%%' ORDER BY s.kato LIMIT 24) south_east
        """)
        rows = cursor.fetchall()
    settlements = Settlement.objects.in_bulk({row[0] for row in rows})
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    projects, prices = [], []
    for n, (settlement_id, lon, lat) in enumerate(rows):
        status = STAGES[n % len(STAGES)]
        price = Decimal(150_000 + 37_500 * n).quantize(Decimal("0.01"))
        if status in (Status.FUNDED, Status.IN_PROGRESS, Status.COMPLETED, Status.ARCHIVED):
            pledged = confirmed = price
        elif status == Status.PUBLISHED:
            pledged = (price * Decimal(n % 5) / 5).quantize(Decimal("0.01"))
            confirmed = (pledged / 2).quantize(Decimal("0.01"))
        else:
            pledged = confirmed = Decimal("0.00")
        settlement = settlements[settlement_id]
        projects.append(SocialProject(
            kind=Kind.values[n % 4], title_kk=f"Сынақ жобасы {n}", title_ru=f"Тестовый проект {n}",
            title_en=f"Test project {n}", organisation="Contract test NGO",
            reference=f"{REFERENCE_PREFIX}{n}", settlement=settlement,
            settlement_kato=settlement.kato, geom=f"SRID=4326;POINT({lon!r} {lat!r})",
            status=status, price=price, pledged=pledged, confirmed=confirmed,
            deadline=today + timedelta(days=30 + n),
            # Every third project in progress is past its report's due date.
            report_due=today + timedelta(days=-5 if n % 3 == 0 else 60 + n),
            published_at=None if status == Status.DRAFT else now - timedelta(hours=n),
            beneficiary_name="Contractsecret Beneficiary" if n % 4 == 2 else "",
            report_submitted_at=now if status in (Status.COMPLETED, Status.ARCHIVED) else None,
        ))
        prices.append(price)
    SocialProject.objects.bulk_create(projects)
    EstimateLine.objects.bulk_create([
        EstimateLine(project=project, position=1, name="Works and materials", quantity=1,
                     unit="set", unit_price=price, total=price)
        for project, price in zip(projects, prices, strict=True)])
    tag_rows(SocialProject, pks=[project.pk for project in projects])
    return len(projects)
