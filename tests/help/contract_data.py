"""Help requests committed with the reference data for the layer contract
(tests/layers/test_contract.py): synthetic people in Almaty city, around settlements of the
south-east and in Astana; every fifth one unpublished."""

from django.contrib.gis.geos import Polygon
from django.db import transaction

from layers.areas.models import Settlement
from layers.help.demo import create_synthetic
from layers.help.models import HelpRequest

# Numbers of the contract's people, far from the demo's (1–999).
FIRST = 5000


@transaction.atomic
def load() -> int:
    if HelpRequest.objects.filter(settlement_kato="750000000").exists():
        return 0
    south_east = Polygon.from_bbox((75.0, 43.0, 79.0, 45.5))
    south_east.srid = 4326
    almaty = Settlement.objects.get(kato="750000000")
    astana = Settlement.objects.filter(kato__startswith="71", geom__isnull=False).first()
    near = list(Settlement.objects.filter(geom__within=south_east).exclude(kato="750000000")
                .order_by("kato")[:40])
    places = [almaty] * 10 + near + [astana] * 6
    for offset, settlement in enumerate(places):
        create_synthetic(FIRST + offset, settlement, published=offset % 5 != 4)
    return len(places)
