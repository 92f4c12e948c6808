"""Volunteers committed with the reference data for the layer contract
(tests/layers/test_contract.py): synthetic people in Almaty city and around settlements of the
south-east, in groups large enough that the anonymised list shows them; some in Astana."""

from django.contrib.gis.geos import Polygon
from django.db import transaction

from layers.areas.models import Settlement
from layers.volunteers.anonymity import rebuild_cards
from layers.volunteers.demo import create_synthetic
from layers.volunteers.models import Volunteer

# Numbers of the contract's people, far from the demo's (1–999).
FIRST = 5000


@transaction.atomic
def load() -> int:
    if Volunteer.objects.filter(settlement_kato="750000000").exists():
        return 0
    south_east = Polygon.from_bbox((75.0, 43.0, 79.0, 45.5))
    south_east.srid = 4326
    almaty = Settlement.objects.get(kato="750000000")
    astana = Settlement.objects.filter(kato__startswith="71", geom__isnull=False).first()
    near = list(Settlement.objects.filter(geom__within=south_east).exclude(kato="750000000")
                .exclude(kato__startswith="75").order_by("kato")[:6])
    places = [almaty] * 20 + [s for s in near for _ in range(6)] + [astana] * 6
    for offset, settlement in enumerate(places):
        # Same birth decade and gender per settlement: groups of five or more at some level.
        create_synthetic(FIRST + offset, settlement, birth_year=1985 + offset % 3,
                         gender="f" if offset % 2 else "m")
    rebuild_cards()
    return len(places)
