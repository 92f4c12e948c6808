"""The small-group rule: every shown (age, gender, place) of the public list is shared by at
least TZ_PRIVACY_MIN_GROUP cards, small groups are shown wider (band, gender withheld,
district) or not at all, and no combination of filters changes that."""

import itertools
from collections import Counter

import pytest
from django.http import QueryDict

from layers.areas.models import AdminArea
from layers.volunteers import actions
from layers.volunteers.anonymity import SHOWN_AGES
from layers.volunteers.filters import VolunteerCardFilterSet
from layers.volunteers.models import VolunteerCard

from .conftest import OBLAST, OKRUG_A, OKRUG_B, enter

pytestmark = pytest.mark.django_db
K = 5


@pytest.fixture
def built(oblast_officer, places):
    """Okrug A: six women of 25–34 (shown as they are), three men of 25–34 and two of 16–24
    (shown as men of 16–34); okrug B: two women (too few: shown at district level with
    others or not at all); another district: one man of 60+ (suppressed)."""
    people = {}
    n = 0

    def add(key, settlement, birth_year, gender, **extra):
        nonlocal n
        n += 1
        people.setdefault(key, []).append(
            enter(oblast_officer, n, settlement, birth_year=birth_year, gender=gender, **extra))

    for i in range(6):
        add("women_a", places["a1" if i % 2 else "a2"], 1995, "f",
            directions=["teaching"] if i % 3 else ["care", "transport"], has_car=i == 0,
            languages=["kk", "en"] if i == 1 else ["kk"],
            slots=[0 * 24 + 9 + i] if i < 3 else [5 * 24 + 18])
    for _ in range(3):
        add("men_a", places["a1"], 1994, "m", directions=["physical"], has_car=True)
    for _ in range(2):
        add("men_a", places["a2"], 2006, "m", directions=["physical"], languages=["ru"])
    for _ in range(2):
        add("women_b", places["b"], 1980, "f", directions=["consulting"])
    add("alone", places["other"], 1950, "m", directions=["consulting"], has_car=True)
    return people


def shown(card):
    return (card.age_shown, card.gender_shown, card.place_kato)


def test_groups_are_shown_as_precisely_as_five_allow(built):
    cards = {c.volunteer_id: c for c in VolunteerCard.objects.all()}
    for volunteer in built["women_a"]:
        assert shown(cards[volunteer.pk]) == ("25-34", "f", OKRUG_A)
    for volunteer in built["men_a"]:
        assert shown(cards[volunteer.pk]) == ("16-34", "m", OKRUG_A)
        assert cards[volunteer.pk].okrug.kato == OKRUG_A
    # Two women of okrug B and one man elsewhere: never shown at okrug level, never alone.
    for volunteer in built["women_b"] + built["alone"]:
        card = cards.get(volunteer.pk)
        assert card is None or (card.place_level != "okrug" and card.okrug_id is None)
    assert built["alone"][0].pk not in cards
    assert not VolunteerCard.objects.filter(place_kato=OKRUG_B).exists()


def test_a_card_keeps_its_address_while_listed(built, oblast_officer, places):
    first = built["women_a"][0]
    card_id = VolunteerCard.objects.get(volunteer=first).pk
    enter(oblast_officer, 99, places["b"], birth_year=1970, gender="m")
    actions.pause(user=oblast_officer, volunteer=built["women_a"][1])
    assert VolunteerCard.objects.get(volunteer=first).pk == card_id


def test_the_whole_release_is_k_anonymous(built):
    counts = Counter(shown(card) for card in VolunteerCard.objects.all())
    assert counts and min(counts.values()) >= K, counts


def test_every_filter_combination_answers_from_the_release(built, places):
    release = {card.pk: shown(card) for card in VolunteerCard.objects.all()}
    counts = Counter(release.values())
    district = AdminArea.objects.get(generation__is_current=True, level="district",
                                     kato=OKRUG_A[:4] + "00000")
    options = {
        "direction": [None, "teaching", "physical", "care"],
        "day": [None, "0", "5"],
        "hours": [None, (9, 10), (18, 20)],
        "car": [None, "true", "false"],
        "language": [None, "en", "ru"],
        "age": [None, "25-34", "16-34"],
        "area": [None, OBLAST, district.kato, OKRUG_A, OKRUG_B],
    }
    areas = {a.kato: a for a in AdminArea.objects.filter(
        generation__is_current=True, kato__in=[OBLAST, district.kato, OKRUG_A, OKRUG_B])}
    answered = set()
    combinations = 0
    for values in itertools.product(*options.values()):
        choice = dict(zip(options, values, strict=True))
        query = QueryDict(mutable=True)
        for name in ("direction", "day", "car", "language", "age"):
            if choice[name] is not None:
                query[name] = choice[name]
        if choice["hours"]:
            query["hour_from"], query["hour_to"] = map(str, choice["hours"])
        rows = VolunteerCard.objects.all()
        if choice["area"]:
            area = areas[choice["area"]]
            rows = rows.filter(**{f"{area.level}_id": area.pk})
        filterset = VolunteerCardFilterSet(query, queryset=rows)
        assert filterset.is_valid(), (choice, filterset.errors)
        combinations += 1
        for card in filterset.qs:
            # The row is the release's row, shown the same way, in a group of at least K.
            assert shown(card) == release[card.pk], choice
            assert counts[shown(card)] >= K, (choice, shown(card))
            answered.add(card.pk)
    assert combinations == 4 * 3 * 3 * 3 * 3 * 3 * 5
    assert answered <= set(release)
    # Okrug B's code finds nothing: its two women are not shown there.
    assert not VolunteerCard.objects.filter(okrug__kato=OKRUG_B).exists()
    assert "any" in SHOWN_AGES


def test_the_public_api_shows_no_group_below_five(client, built, oblast_officer):
    data = client.get("/api/layers/volunteers/", {"area": OBLAST, "limit": 100}).json()
    features = data["features"]
    assert len(features) == 11
    counts = Counter((f["properties"]["age"], f["properties"]["gender"],
                      f["properties"]["place"]) for f in features)
    assert min(counts.values()) >= K
    # Everyone shown in one place is drawn at the same point.
    points = {}
    for feature in features:
        points.setdefault(feature["properties"]["place"], set()).add(
            tuple(feature["geometry"]["coordinates"]))
    assert all(len(p) == 1 for p in points.values())
    # Pausing one of the men breaks their group of five: the four left are shown wider.
    men = VolunteerCard.objects.filter(gender_shown="m", place_kato=OKRUG_A)
    assert men.count() == 5
    actions.pause(user=oblast_officer, volunteer=built["men_a"][0])
    assert not VolunteerCard.objects.filter(gender_shown="m", place_kato=OKRUG_A).exists()
    district_kato = OKRUG_A[:4] + "00000"
    wider = VolunteerCard.objects.filter(place_kato=district_kato)
    # Four men and okrug B's two women together: six of any age, gender withheld.
    assert wider.count() == 6
    assert {shown(card) for card in wider} == {("any", "", district_kato)}
    assert all(card.okrug_id is None for card in wider)
    data = client.get("/api/layers/volunteers/", {"area": OKRUG_B}).json()
    assert data["features"] == []
