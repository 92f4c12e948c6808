"""Eco-routes committed with the reference data for a test run, so the layer contract
(tests/layers/test_contract.py) has lines to read, and the schematic road graph the planner
tests route on.

Fourteen short sample routes: six inside Almaty city (three within 15 km of its centre, one
in the z10 tile 730/375), eight elsewhere in Almaty oblast and Zhetysu; none in Mangystau.
"""

from django.db import transaction

from layers.routes.demo import create_sample_route
from layers.routes.models import EcoRoute
from layers.routes.roads import load_schematic_graph

CONTRACT_ORGANISATION = "Contract test data"
KINDS = ("hiking", "horse", "cycling", "car", "water")
DIFFICULTIES = ("easy", "moderate", "hard")
# (lon, lat) of each route's start; each runs about 2 km north-east.
STARTS = [
    # Almaty city
    (76.9000, 43.2400), (76.9300, 43.2500), (76.9500, 43.2300), (76.8700, 43.2200),
    (76.9200, 43.2100), (76.8500, 43.2700),
    # Almaty oblast and Zhetysu, outside the city
    (77.0600, 43.3500), (77.4500, 43.3000), (76.6200, 43.1700), (77.1200, 43.8800),
    (78.4000, 45.0200), (77.9000, 43.4500), (76.3000, 43.6000), (78.7000, 44.2000),
]


@transaction.atomic
def load() -> int:
    load_schematic_graph(commit=True)
    if EcoRoute.objects.filter(organisation=CONTRACT_ORGANISATION).exists():
        return 0
    for n, (lon, lat) in enumerate(STARTS):
        spec = {
            "name_kk": f"Сынақ маршруты {n:02d}", "name_ru": f"Тестовый маршрут {n:02d}",
            "name_en": f"Contract route {n:02d}", "kind": KINDS[n % len(KINDS)],
            "difficulty": DIFFICULTIES[n % len(DIFFICULTIES)],
            "duration_hours": 1 + n % 5, "season": (1 + n % 6, 12 - n % 4),
            "points": [(lon, lat), (lon + 0.008, lat + 0.006), (lon + 0.016, lat + 0.012)],
        }
        create_sample_route(spec, organisation=CONTRACT_ORGANISATION)
    return len(STARTS)
