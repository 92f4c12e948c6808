"""The small-group rule of the anonymised volunteer list.

The public list (layer "volunteers", model VolunteerCard) shows, for each listed volunteer,
what they offer (directions, weekly hours, car, languages) and three quasi-identifiers: an
age band, a gender and a place. Names, contacts, birth years and settlements are never shown.

Rule. With k = settings.TZ_PRIVACY_MIN_GROUP (default 5), every card's shown
(age, gender, place) is shared by at least k cards of the list. The list is built in steps,
from the most precise way of showing a volunteer to the least; at each step the volunteers
not yet placed are grouped by how that step would show them, every group of at least k is
listed that way, and the rest go on to the next step:

  1. age band (16–24, 25–34, 35–44, 45–59, 60+), gender, rural okrug
  2. wide band (16–34, 35–59, 60+), gender, okrug
  3. wide band, gender withheld, okrug
  4. age band, gender, district
  5. wide band, gender, district
  6. wide band, gender withheld, district
  7. age withheld, gender withheld, district
  8. wide band, gender withheld, oblast (or city of republican significance)
  9. age withheld, gender withheld, oblast
  10. left off the list (suppressed): still matched by staff, never shown.

Volunteers whose settlement has no okrug (cities) start at step 4. A card's area tags are the
shown place's: a card shown at district level has no okrug tag, so `area=<okrug>` cannot find
it, and its point is the same point of the shown area for everyone shown there.

Rebuilt per oblast. After every change (sign-up, edit, pause, resume, leave, a proposal
decided, an import) only the oblasts it touched are rebuilt: the volunteer's oblast before
and after the change. That is still the one release a rebuild of the whole country would
make: every group of the rule lies inside one oblast (okrug ⊂ district ⊂ oblast, and the
widest step is the oblast or a city of republican significance itself), so a change in one
oblast can never change a card of another. tests/volunteers/test_rebuild.py compares the
cards after a sequence of oblast rebuilds with a whole rebuild from scratch, card by card.
Each oblast has its own advisory lock, so sign-ups in different oblasts do not wait for
each other. Ages move with the calendar year, which no action touches: the command
`manage.py rebuild_volunteer_list` rebuilds the whole country and is meant for a nightly
cron (at the least one run just after New Year), so the age bands stay right.

Why filters cannot single anyone out: the list is one fixed release. Filters (direction, day,
hour, car, language, area, bbox, near) only select rows of that release; they never change
how a row is shown. Whatever any combination of filters returns is a subset of the release,
and in the release each shown (age, gender, place) stands for at least k volunteers, so
knowing someone's age, gender and place never narrows them below k rows.
tests/volunteers/test_anonymity.py runs every filter combination on built data and checks
this for each answer.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.models import FloatField, Func
from django.utils import timezone

from .models import Volunteer, VolunteerCard

AGE_BANDS = (("16-24", 16, 24), ("25-34", 25, 34), ("35-44", 35, 44), ("45-59", 45, 59),
             ("60+", 60, None))
WIDE_BANDS = {"16-24": "16-34", "25-34": "16-34", "35-44": "35-59", "45-59": "35-59",
              "60+": "60+"}
ANY_AGE = "any"
YOUNGEST_AGE = 16

# (age: "band" | "wide" | None, gender shown?, place level)
STEPS = (
    ("band", True, "okrug"),
    ("wide", True, "okrug"),
    ("wide", False, "okrug"),
    ("band", True, "district"),
    ("wide", True, "district"),
    ("wide", False, "district"),
    (None, False, "district"),
    ("wide", False, "oblast"),
    (None, False, "oblast"),
)
CARD_FIELDS = ("age_shown", "gender_shown", "place_kato", "place_level", "directions", "slots",
               "days", "has_car", "languages", "geom")
SHOWN_FIELDS = CARD_FIELDS[:-1]  # compared as read; the point is compared by its coordinates
# Every age a card may show, for the filter panel.
SHOWN_AGES = [code for code, _low, _high in AGE_BANDS] + ["16-34", "35-59", ANY_AGE]


def age_band(birth_year: int, year: int) -> str:
    age = year - birth_year
    for code, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    return AGE_BANDS[0][0]


def shown_as(person: dict, step) -> tuple | None:
    """How a person ({band, gender, okrug, district, oblast}) is shown at a step, as
    (age, gender, place level, place id); None when they have no area of that level."""
    age, with_gender, level = step
    place = person[level]
    if place is None:
        return None
    age_text = {"band": person["band"], "wide": WIDE_BANDS[person["band"]],
                None: ANY_AGE}[age]
    return (age_text, person["gender"] if with_gender else "", level, place)


def assign(people: list[dict], k: int) -> dict:
    """person id → shown tuple, for the people the rule lists (the rest are suppressed)."""
    placed, waiting = {}, list(people)
    for step in STEPS:
        groups = defaultdict(list)
        for person in waiting:
            shown = shown_as(person, step)
            if shown is not None:
                groups[shown].append(person)
        placed_now = set()
        for shown, members in groups.items():
            if len(members) >= k:
                for person in members:
                    placed[person["id"]] = shown
                    placed_now.add(person["id"])
        waiting = [p for p in waiting if p["id"] not in placed_now]
        if not waiting:
            break
    return placed


LOCK_KEY = "volunteers.cards"


@transaction.atomic
def rebuild_cards(today=None, oblast_ids=None) -> dict:
    """Rebuild the public list from the active questionnaires. Returns counts.

    Without oblast_ids, the whole country. With them (an iterable of oblast ids; None in it is
    ignored), only the volunteers and cards of those oblasts: every group of the rule lies
    inside one oblast, so the other oblasts' cards would come out exactly as they are."""
    k = settings.TZ_PRIVACY_MIN_GROUP
    year = (today or timezone.localdate()).year
    scope = None if oblast_ids is None else sorted({pk for pk in oblast_ids if pk is not None})
    _lock(scope)
    if scope == []:
        return {"listed": 0, "suppressed": 0}
    volunteers = (Volunteer.objects.filter(status=Volunteer.Status.ACTIVE,
                                           birth_year__isnull=False, oblast__isnull=False)
                  .exclude(gender=""))
    if scope is not None:
        volunteers = volunteers.filter(oblast_id__in=scope)
    people = []
    for row in volunteers.values("id", "birth_year", "gender", "okrug_id", "district_id",
                                 "oblast_id", "directions", "slots", "has_car", "languages"):
        people.append({**row, "band": age_band(row["birth_year"], year),
                       "okrug": row["okrug_id"], "district": row["district_id"],
                       "oblast": row["oblast_id"]})
    placed = assign(people, k)
    wanted, wanted_xy = _wanted_cards(people, placed)
    # A listed volunteer keeps their card (and its address /volunteers/<id>/) while listed:
    # only cards whose shown values changed are rewritten.
    existing = _existing_cards(scope)
    gone = [card["id"] for volunteer_id, card in existing.items() if volunteer_id not in wanted]
    if gone:
        VolunteerCard.objects.filter(pk__in=gone).delete()
    changed, created = [], []
    for person_id, values in wanted.items():
        card = existing.get(person_id)
        if card is None:
            created.append(VolunteerCard(volunteer_id=person_id, **values))
        elif card["xy"] != wanted_xy[person_id] or any(
                card[name] != values[name] for name in SHOWN_FIELDS):
            changed.append(VolunteerCard(pk=card["id"], volunteer_id=person_id, **values))
    VolunteerCard.objects.bulk_update(changed, list(CARD_FIELDS), batch_size=2000)
    VolunteerCard.objects.bulk_create(created, batch_size=2000)
    from layers.core.tagging import tag_rows

    touched = [card.pk for card in changed + created]
    if touched:
        tag_rows(VolunteerCard, pks=touched)
    return {"listed": len(wanted), "suppressed": len(people) - len(wanted)}


def _lock(scope) -> None:
    """One rebuild of an oblast at a time. A whole-country rebuild holds the list's lock alone;
    an oblast rebuild shares it and takes one lock per oblast, in id order, so two writers that
    touch the same oblasts never wait for each other in a circle."""
    with connection.cursor() as cursor:
        if scope is None:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK_KEY])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtext(%s))", [LOCK_KEY])
        for oblast_id in scope:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
                           [LOCK_KEY, oblast_id])


def _wanted_cards(people: list[dict], placed: dict) -> tuple[dict, dict]:
    """volunteer id → the values of their card, for the volunteers the rule lists; and
    volunteer id → the (x, y) of their card's point."""
    from layers.areas.models import AdminArea

    area_ids = {shown[3] for shown in placed.values()}
    katos = dict(AdminArea.objects.filter(pk__in=area_ids).values_list("id", "kato"))
    coordinates = _area_points(area_ids)
    points = {pk: Point(x, y, srid=4326) for pk, (x, y) in coordinates.items()}
    by_id = {p["id"]: p for p in people}
    wanted, wanted_xy = {}, {}
    for person_id, (age, gender, level, place) in placed.items():
        if place not in points:
            continue  # an area without a boundary has no point to draw: not listed
        person = by_id[person_id]
        slots = sorted(set(person["slots"]))
        wanted[person_id] = {
            "age_shown": age, "gender_shown": gender, "place_kato": katos[place],
            "place_level": level, "directions": sorted(set(person["directions"])),
            "slots": slots, "days": sorted({slot // 24 for slot in slots}),
            "has_car": person["has_car"], "languages": sorted(set(person["languages"])),
            "geom": points[place]}
        wanted_xy[person_id] = coordinates[place]
    return wanted, wanted_xy


def _existing_cards(scope) -> dict:
    """volunteer id → {id, shown fields} of the cards the rebuild may keep, rewrite or remove:
    all of them, or those of the scope's oblasts: a card is tagged with its shown place's
    oblast, and a volunteer's card lies in their own oblast, except while a move, a pause or a
    leave is being rebuilt: so both the cards tagged in the scope and the cards of the
    scope's volunteers (whatever their status) are read."""
    # The point as two floats: turning 200,000 points into geometry objects costs seconds.
    cards = VolunteerCard.objects.annotate(
        x=Func("geom", function="ST_X", output_field=FloatField()),
        y=Func("geom", function="ST_Y", output_field=FloatField()))
    columns = ("id", "volunteer_id", *SHOWN_FIELDS, "x", "y")
    if scope is None:
        rows = cards.values_list(*columns, named=True)
    else:
        in_scope = Volunteer.objects.filter(oblast_id__in=scope).values("pk")
        rows = (cards.filter(oblast_id__in=scope).values_list(*columns, named=True)
                .union(cards.filter(volunteer_id__in=in_scope).exclude(oblast_id__in=scope)
                       .values_list(*columns, named=True), all=True))
    return {row.volunteer_id: {**row._asdict(), "xy": (row.x, row.y)} for row in rows}


def _area_points(area_ids) -> dict:
    """(x, y) of a point on the surface of each area: the one point a card shown there is
    drawn at."""
    if not area_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ST_X(p), ST_Y(p) FROM (SELECT id, ST_PointOnSurface(geom) p "
                       "FROM areas_adminarea WHERE id = ANY(%s) AND geom IS NOT NULL) s",
                       [list(area_ids)])
        return {pk: (x, y) for pk, x, y in cursor.fetchall()}
