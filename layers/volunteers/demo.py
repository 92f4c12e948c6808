"""Synthetic volunteers: obviously fake people ("Demo Volunteer 0001", +7 700 900 00 01) for
the demo portal and the test data, with assignments, confirmed help records and reviews.
Nothing here is a real person."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from layers.areas.models import Settlement
from layers.help.demo import demo_settlements
from layers.help.models import HelpRequest

from .actions import QuestionnaireInput, _apply, person_index_for, slots_for
from .anonymity import rebuild_cards
from .models import Assignment, HelpRecord, Review, Volunteer

DIRECTIONS = ("consulting", "teaching", "physical", "transport", "care", "collection")
DEMO_NAME = "Demo Volunteer {n:04d}"


def synthetic_input(n: int, settlement: Settlement) -> QuestionnaireInput:
    has_car = n % 3 == 0
    days = [n % 7, (n + 3) % 7] if n % 2 else [5, 6]
    start = 8 + n % 10
    return QuestionnaireInput(
        full_name=DEMO_NAME.format(n=n), phone=f"+7 700 900 {n // 100 % 100:02d} {n % 100:02d}",
        email=f"demo.volunteer.{n}@example.kz", birth_year=1960 + (n * 7) % 45,
        gender="f" if n % 2 else "m", settlement=settlement,
        directions=sorted({DIRECTIONS[n % 6], DIRECTIONS[(n // 6) % 6]}),
        slots=slots_for(days, range(start, start + 4)), education="higher",
        experience="some", has_car=has_car, car_seats=3 if has_car else 0,
        languages=["kk", "ru"] if n % 4 else ["kk", "ru", "en"], travel_km=5 + n % 40)


def create_synthetic(n: int, settlement: Settlement, **overrides) -> tuple[Volunteer, bool]:
    """The synthetic volunteer number n in this settlement (found again by its blind index).
    Does not rebuild the public list: call anonymity.rebuild_cards() after a batch."""
    data = synthetic_input(n, settlement)
    for name, value in overrides.items():
        setattr(data, name, value)
    index = person_index_for(data.full_name, data.birth_year, settlement.kato)
    existing = Volunteer.objects.filter(person_index=index).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    volunteer = Volunteer(created_at=now)
    _apply(volunteer, data, now)
    volunteer.save()
    return volunteer, True


@transaction.atomic
def load_demo_volunteers(report: dict) -> None:
    """Demo content for `make run` (settings.TZ_DEMO_LOADERS): ~480 synthetic volunteers in
    several oblasts, some assigned to demo help requests, with confirmed records and reviews."""
    created = 0
    n = 0
    volunteers = []
    for settlement in demo_settlements():
        for _ in range(8):
            n += 1
            volunteer, new = create_synthetic(n, settlement)
            created += new
            volunteers.append(volunteer)
    staff = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    records = 0
    if created and staff is not None:
        requests = list(HelpRequest.objects.filter(is_published=True).order_by("pk")[:60])
        for number, (help_request, volunteer) in enumerate(zip(requests, volunteers[::7],
                                                              strict=False)):
            status = Assignment.Status.ACCEPTED if number % 4 else Assignment.Status.OFFERED
            Assignment.objects.get_or_create(request=help_request, volunteer=volunteer,
                                             defaults={"assigned_by": staff, "status": status})
            if status != Assignment.Status.ACCEPTED or number % 3 == 0:
                continue
            record = HelpRecord(volunteer=volunteer, request=help_request,
                                kind_id=help_request.kind_id,
                                helped_on=timezone.localdate() - timedelta(days=number * 5),
                                settlement_kato=help_request.settlement_kato,
                                created_by=staff, confirmed_at=timezone.now(),
                                confirmed_by=staff, confirmed_via="staff")
            record.save()
            Review.objects.create(record=record, positive=number % 5 != 0,
                                  text="Рахмет! Спасибо за помощь.", written_by=staff,
                                  moderation=Review.Moderation.APPROVED, moderated_by=staff)
            records += 1
    released = rebuild_cards()
    line = (f"volunteers: {created} synthetic, {released['listed']} listed, "
            f"{records} confirmed help records")
    (report["created"] if created else report["unchanged"]).append(line)
