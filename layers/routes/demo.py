"""Demo content for `make run`: the schematic road graph and a few sample eco-routes in
several oblasts. Every route here is marked `is_sample` and says so on its page and in its
exports: the tracks are drawn through a few known points, not surveyed."""

import math

from django.db import transaction

from .actions import _store_track
from .formats import segments_ewkt
from .models import EcoRoute

SAMPLE_ORGANISATION = "Sample data (Tugan Zher demo)"

# name_en → fields and the waypoints (lon, lat) the sample track passes through.
SAMPLE_ROUTES = [
    {"name_kk": "Үлкен Алматы көліне жаяу жол", "name_ru": "Пешком к Большому Алматинскому озеру",
     "name_en": "Walk to Big Almaty Lake", "kind": "hiking", "difficulty": "moderate",
     "duration_hours": 6, "season": (5, 10),
     "description_en": "From the Almaty gorge up to the lake in Ile-Alatau national park.",
     "description_ru": "Из ущелья Большая Алматинка к озеру в Иле-Алатауском нацпарке.",
     "description_kk": "Үлкен Алматы шатқалынан Іле-Алатау ұлттық паркіндегі көлге дейін.",
     "points": [(76.9700, 43.1700), (76.9650, 43.1300), (76.9800, 43.0900), (76.9940, 43.0530)]},
    {"name_kk": "Шарын шатқалы: Қамалдар аңғары", "name_ru": "Чарынский каньон: Долина замков",
     "name_en": "Charyn Canyon: Valley of Castles", "kind": "hiking", "difficulty": "easy",
     "duration_hours": 3, "season": (4, 10),
     "description_en": "Along the floor of the canyon to the Charyn river.",
     "description_ru": "По дну каньона к реке Чарын.",
     "description_kk": "Шатқалдың табанымен Шарын өзеніне дейін.",
     "points": [(79.0700, 43.3520), (79.0780, 43.3400), (79.0820, 43.3250), (79.0900, 43.3100)]},
    {"name_kk": "Көлсай көлдеріне атпен", "name_ru": "Верхом к Кольсайским озёрам",
     "name_en": "On horseback to the Kolsai lakes", "kind": "horse", "difficulty": "hard",
     "duration_hours": 9, "season": (6, 9),
     "description_en": "From the first to the second Kolsai lake through spruce forest.",
     "description_ru": "От первого ко второму Кольсайскому озеру через ельник.",
     "description_kk": "Бірінші Көлсай көлінен екінші көлге шыршалы орман арқылы.",
     "points": [(78.3250, 42.9930), (78.3150, 42.9700), (78.3050, 42.9500), (78.2950, 42.9330)]},
    {"name_kk": "Бурабай көлін велосипедпен айналу", "name_ru": "Вокруг озера Бурабай на велосипеде",
     "name_en": "Round Lake Burabay by bicycle", "kind": "cycling", "difficulty": "easy",
     "duration_hours": 4, "season": (5, 9),
     "description_en": "A loop round the lake on the park's roads.",
     "description_ru": "Кольцо вокруг озера по дорогам парка.",
     "description_kk": "Саябақ жолдарымен көлді айнала.",
     "points": [(70.2900, 53.1100), (70.3400, 53.1050), (70.3500, 53.0800), (70.3000, 53.0650),
                (70.2700, 53.0850), (70.2900, 53.1100)]},
    {"name_kk": "Баянауыл тауларында", "name_ru": "По горам Баянаула",
     "name_en": "In the Bayanaul hills", "kind": "hiking", "difficulty": "moderate",
     "duration_hours": 5, "season": (5, 9),
     "description_en": "From Lake Zhasybay over the granite hills.",
     "description_ru": "От озера Жасыбай через гранитные сопки.",
     "description_kk": "Жасыбай көлінен гранит төбелер арқылы.",
     "points": [(75.6800, 50.8000), (75.7100, 50.7900), (75.7400, 50.7800)]},
    {"name_kk": "Ақсу-Жабағылы: Ақсу шатқалы", "name_ru": "Аксу-Жабаглы: каньон Аксу",
     "name_en": "Aksu-Zhabagly: the Aksu canyon", "kind": "hiking", "difficulty": "moderate",
     "duration_hours": 7, "season": (5, 10),
     "description_en": "The reserve's trail to the rim of the Aksu canyon.",
     "description_ru": "Тропа заповедника к краю каньона Аксу.",
     "description_kk": "Қорықтың соқпағымен Ақсу шатқалының жиегіне.",
     "points": [(70.4700, 42.4300), (70.5100, 42.4100), (70.5500, 42.3900)]},
    {"name_kk": "Іле өзенімен сал", "name_ru": "Сплав по реке Или",
     "name_en": "Rafting down the Ile river", "kind": "water", "difficulty": "moderate",
     "duration_hours": 8, "season": (5, 9),
     "description_en": "Downstream from the Kapshagay dam.",
     "description_ru": "Вниз по течению от Капшагайской плотины.",
     "description_kk": "Қапшағай бөгетінен ағыспен төмен.",
     "points": [(77.0600, 43.8800), (77.1500, 43.9400), (77.2600, 44.0000)]},
    {"name_kk": "Маңғыстау: Бозжыраға көлікпен", "name_ru": "Мангистау: на машине к Бозжыре",
     "name_en": "Mangystau: by car to Bozzhyra", "kind": "car", "difficulty": "hard",
     "duration_hours": 10, "season": (4, 10),
     "description_en": "Off-road from Zhanaozen to the Bozzhyra tract (four-wheel drive).",
     "description_ru": "По бездорожью от Жанаозена к урочищу Бозжыра (полный привод).",
     "description_kk": "Жаңаөзеннен Бозжыра шатқалына жолсыз (толық жетек).",
     "points": [(52.8500, 43.3400), (53.5000, 43.3000), (54.1000, 43.3800), (54.6200, 43.4000)]},
]


def wiggly_track(points: list[tuple[float, float]], per_leg: int = 40,
                 wiggle_deg: float | None = None) -> list[tuple[float, float]]:
    """A track through the points with many small bends, like a recorded GPS track (so the
    simplified display copy really is simpler). Bends are 1 % of the leg unless given."""
    track = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        amplitude = wiggle_deg if wiggle_deg is not None else 0.01 * math.hypot(x1 - x0, y1 - y0)
        for step in range(1, per_leg + 1):
            t = step / per_leg
            bend = math.sin(step * 1.7) * amplitude if step < per_leg else 0.0
            track.append((round(x0 + (x1 - x0) * t + bend, 6),
                          round(y0 + (y1 - y0) * t - bend, 6)))
    return track


def create_sample_route(spec: dict, **extra) -> EcoRoute:
    start, end = spec.get("season", (5, 9))
    fields = {k: v for k, v in spec.items() if k not in ("points", "season")}
    ewkt = segments_ewkt([wiggly_track(spec["points"])])
    route = EcoRoute(**{"season_start_month": start, "season_end_month": end,
                        "is_sample": True, "organisation": SAMPLE_ORGANISATION,
                        "track": ewkt, "geom": ewkt, **fields, **extra})
    route.save()
    _store_track(route)
    return route


@transaction.atomic
def load_demo_routes(report: dict) -> None:
    from .roads import load_schematic_graph

    graph = load_schematic_graph(commit=True)
    report["created" if graph.edges_written or graph.nodes_created else "unchanged"].append(
        f"road graph {graph.network} ({graph.nodes_created + graph.nodes_updated + graph.nodes_unchanged} "
        f"towns, {graph.edges_written + graph.edges_unchanged} edges)")
    for spec in SAMPLE_ROUTES:
        if EcoRoute.objects.filter(is_sample=True, name_en=spec["name_en"]).exists():
            report["unchanged"].append(f"sample eco-route {spec['name_en']}")
            continue
        create_sample_route(spec)
        report["created"].append(f"sample eco-route {spec['name_en']}")
