"""Synthetic help requests: obviously fake people ("Demo Person 001", +7 700 000 00 01) for
the demo portal and the test data. Nothing here is a real person."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from layers.areas.models import AdminArea, Settlement

from .actions import RequestInput, apply_input, person_index_for
from .models import HelpRequest

KINDS = ("treatment", "repairs", "clothing", "firewood", "food", "legal", "household",
         "medicines")
FAMILY = ("disabled", "single_mother", "large_family", "lonely_pensioner", "low_income")
TOPIC_OF_KIND = {"treatment": "material", "repairs": "labour", "clothing": "material",
                 "firewood": "material", "food": "material", "legal": "consultative",
                 "household": "labour", "medicines": "material"}
DESCRIPTIONS = {
    "treatment": "Емделуге қаражат қажет. Нужны средства на лечение.",
    "repairs": "Шатырды жөндеуге көмек керек. Нужна помощь с ремонтом крыши.",
    "clothing": "Балаларға қысқы киім керек. Нужна зимняя одежда для детей.",
    "firewood": "Қысқа отын керек. Нужны дрова на зиму.",
    "food": "Азық-түлік себеті керек. Нужна продуктовая корзина.",
    "legal": "Құжаттарды рәсімдеуге кеңес керек. Нужна консультация по документам.",
    "household": "Ауланы тазалауға көмек керек. Нужна помощь по хозяйству во дворе.",
    "medicines": "Дәрі-дәрмек сатып алуға көмек керек. Нужна помощь с лекарствами.",
}
DEMO_NAME = "Demo Person {n:03d}"


def demo_phone(n: int) -> str:
    return f"+7 700 000 {n // 100 % 100:02d} {n % 100:02d}"


def synthetic_input(n: int, settlement: Settlement) -> RequestInput:
    kind = KINDS[n % len(KINDS)]
    topic = TOPIC_OF_KIND[kind]
    family = [FAMILY[n % len(FAMILY)]] + ([FAMILY[(n // 5) % len(FAMILY)]] if n % 3 == 0 else [])
    return RequestInput(
        full_name=DEMO_NAME.format(n=n),
        phone=demo_phone(n),
        address=f"Demo street {n}, house {n % 40 + 1}",
        birth_year=1940 + (n * 7) % 80,
        settlement=settlement,
        topic=topic,
        kind=kind,
        family_tags=sorted(set(family)),
        amount_needed=Decimal(20_000 + (n * 3_700) % 480_000) if topic == "material" else None,
        description=DESCRIPTIONS[kind],
        consent_method=HelpRequest.ConsentMethod.WRITTEN,
    )


def create_synthetic(n: int, settlement: Settlement, *, published: bool = True,
                     published_on=None) -> tuple[HelpRequest, bool]:
    """The synthetic request number n in this settlement (found again by its blind index)."""
    data = synthetic_input(n, settlement)
    index = person_index_for(data.full_name, data.birth_year, settlement.kato)
    existing = HelpRequest.objects.filter(person_index=index, kind_id=data.kind).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    help_request = HelpRequest(created_at=now)
    apply_input(help_request, data, index, now)
    help_request.consent_at = now
    help_request.consent_method = data.consent_method
    help_request.is_published = published
    help_request.published_on = published_on or (timezone.localdate(now)
                                                 - timedelta(days=n % 120))
    help_request.save()
    return help_request, True


def demo_settlements(per_oblast: int = 6, oblasts: int = 8) -> list[Settlement]:
    """Settlements with a point in several oblasts, Almaty city and Astana included."""
    prefixes = ["75", "71"] + [
        area.kato[:2] for area in AdminArea.objects.filter(
            generation__is_current=True, level="oblast").order_by("kato")[:oblasts]]
    chosen = []
    for prefix in dict.fromkeys(prefixes):
        chosen += list(Settlement.objects.filter(kato__startswith=prefix, geom__isnull=False)
                       .order_by("kato")[:per_oblast])
    return chosen


def load_demo_help_requests(report: dict) -> None:
    """Demo content for `make run` (settings.TZ_DEMO_LOADERS): ~100 synthetic people."""
    created = 0
    n = 0
    for settlement in demo_settlements():
        for _ in range(2):
            n += 1
            _request, new = create_synthetic(n, settlement, published=n % 9 != 0)
            created += new
    line = f"help requests: {created} synthetic people"
    (report["created"] if created else report["unchanged"]).append(line)
