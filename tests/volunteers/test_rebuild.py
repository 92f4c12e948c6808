"""The public list is rebuilt per oblast: after sign-ups, a move to another oblast, a pause, a
resume, a leave and edits that shrink a group below k, the cards are exactly those of a whole
rebuild from scratch; an action in one oblast never rewrites a card of another, and does not
wait for another oblast's rebuild; the nightly command rebuilds the whole country."""

import io
from datetime import date

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gis_portal.accounts.models import StaffRole
from layers.areas.models import Settlement
from layers.volunteers import actions
from layers.volunteers.anonymity import CARD_FIELDS, LOCK_KEY, rebuild_cards
from layers.volunteers.models import DirectionProposal, Volunteer, VolunteerCard
from tests.accounts.factories import StaffRoleFactory

from .conftest import OBLAST, OKRUG_A, area, enter, questionnaire

pytestmark = pytest.mark.django_db
KOSTANAY = "390000000"
PAVLODAR = "550000000"
KOSTANAY_OKRUG_A = "391643"  # okrugs of one district of Kostanay oblast
KOSTANAY_OKRUG_B = "391646"
SHYMKENT = "790000000"  # a city of republican significance: no district, no okrug
YEAR = date.today().year  # birth years below give ages, so bands hold in any year


def _settlements(okrug_prefix: str, count: int) -> list[Settlement]:
    return list(Settlement.objects.filter(kato__startswith=okrug_prefix, geom__isnull=False)
                .exclude(kato__endswith="000").order_by("kato")[:count])


@pytest.fixture
def officer():
    """Akimat officer of North Kazakhstan, Kostanay oblast and Shymkent city."""
    return StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER,
                            areas=[area(OBLAST), area(KOSTANAY), area(SHYMKENT)]).user


@pytest.fixture
def built(officer, places):
    """Volunteers of three oblasts, each entered through the action (one oblast rebuild each):
    North Kazakhstan as in test_anonymity, Kostanay (two okrugs of one district) and Shymkent
    city (shown at the city level only)."""
    k1, k2 = _settlements(KOSTANAY_OKRUG_A, 2)
    (k3,) = _settlements(KOSTANAY_OKRUG_B, 1)
    shymkent = Settlement.objects.get(kato=SHYMKENT)
    people = {}
    n = 0

    def add(key, settlement, birth_year, gender, **extra):
        nonlocal n
        n += 1
        people.setdefault(key, []).append(
            enter(officer, n, settlement, birth_year=birth_year, gender=gender, **extra))

    for i in range(6):
        add("nk_women", places["a1" if i % 2 else "a2"], YEAR - 30, "f",
            directions=["teaching"] if i % 3 else ["care", "transport"], has_car=i == 0)
    for _ in range(3):
        add("nk_men", places["a1"], YEAR - 31, "m", directions=["physical"], has_car=True)
    for _ in range(2):
        add("nk_men", places["a2"], YEAR - 19, "m", directions=["physical"], languages=["ru"])
    for _ in range(2):
        add("nk_b", places["b"], YEAR - 45, "f", directions=["consulting"])
    add("nk_alone", places["other"], YEAR - 75, "m", directions=["consulting"])
    for i in range(5):
        add("kos_women", k1 if i % 2 else k2, YEAR - 30, "f", languages=["ru"])
    for i in range(4):
        add("kos_men", k3, YEAR - 55 - i, "m", directions=["transport"], has_car=True)
    for i in range(5):
        add("shymkent", shymkent, YEAR - 65 + 10 * i, "f" if i % 2 else "m", languages=["kk", "en"])
    people["places"] = {"k1": k1, "k2": k2, "k3": k3, "shymkent": shymkent}
    return people


def release() -> dict:
    """volunteer id → every shown field of their card, its area tags and its point."""
    rows = VolunteerCard.objects.values("volunteer_id", *CARD_FIELDS, "oblast_id",
                                        "district_id", "okrug_id")
    return {row.pop("volunteer_id"): {**row, "geom": row["geom"].coords} for row in rows}


class _RolledBack(Exception):
    pass


def from_scratch() -> dict:
    """The release a whole rebuild makes with no card at all, without keeping it."""
    try:
        with transaction.atomic():
            VolunteerCard.objects.all().delete()
            rebuild_cards()
            result = release()
            raise _RolledBack
    except _RolledBack:
        pass
    return result


def assert_same_as_whole_rebuild():
    incremental = release()
    assert incremental == from_scratch()
    return incremental


def card_versions(oblast_kato: str) -> dict:
    """card id → its row version (ctid): any UPDATE of a row, even to the same values, moves
    it to a new version."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ctid::text FROM volunteers_volunteercard WHERE oblast_id = %s",
                       [area(oblast_kato).pk])
        return dict(cursor.fetchall())


def shown(card: dict) -> tuple:
    return (card["age_shown"], card["gender_shown"], card["place_kato"])


def test_oblast_rebuilds_make_the_release_of_a_whole_rebuild(built, officer, places,
                                                             resident):
    cards = assert_same_as_whole_rebuild()
    kos_women = built["kos_women"]
    assert {shown(cards[v.pk])[:2] for v in kos_women} == {("25-34", "f")}
    assert all(cards[v.pk]["place_level"] == "okrug" for v in kos_women[1::2])
    assert {shown(cards[v.pk]) for v in built["shymkent"]} == {("any", "", SHYMKENT)}
    assert all(v.pk not in cards for v in built["kos_men"])  # four men: too few anywhere
    k1, k3 = built["places"]["k1"], built["places"]["k3"]

    # A sign-up in Kostanay: a fifth man of 45–59 in the okrug, and the five are listed.
    newcomer = actions.sign_up(user=resident, data=questionnaire(
        200, k3, birth_year=YEAR - 50, gender="m", directions=["transport"]))
    cards = assert_same_as_whole_rebuild()
    assert {cards[v.pk]["place_level"] for v in built["kos_men"] + [newcomer]} == {"okrug"}

    # A move from North Kazakhstan to Kostanay touches both oblasts.
    mover = built["nk_women"][0]
    actions.update_questionnaire(user=officer, volunteer=mover, data=questionnaire(
        1, k1, birth_year=YEAR - 30, gender="f", languages=["ru"]))
    cards = assert_same_as_whole_rebuild()
    assert cards[mover.pk]["oblast_id"] == area(KOSTANAY).pk
    assert cards[mover.pk]["place_kato"].startswith("39")

    # An edit that leaves four women of 25–34 in okrug A: shown wider from now on.
    aged = built["nk_women"][1]
    actions.update_questionnaire(user=officer, volunteer=aged, data=questionnaire(
        2, places["a1"], birth_year=YEAR - 65, gender="f"))
    cards = assert_same_as_whole_rebuild()
    for volunteer in built["nk_women"][2:]:
        assert shown(cards[volunteer.pk]) != ("25-34", "f", OKRUG_A)

    # A pause, a resume, and a leave that makes Shymkent's group too small.
    actions.pause(user=officer, volunteer=built["kos_women"][0])
    assert built["kos_women"][0].pk not in assert_same_as_whole_rebuild()
    actions.resume(user=officer, volunteer=built["kos_women"][0])
    assert built["kos_women"][0].pk in assert_same_as_whole_rebuild()
    actions.leave(user=officer, volunteer=built["shymkent"][0])
    cards = assert_same_as_whole_rebuild()
    assert not any(v.pk in cards for v in built["shymkent"])

    # A proposed direction promoted into a Kostanay questionnaire.
    proposer = enter(officer, 300, k1, birth_year=YEAR - 31, gender="f", languages=["ru"],
                     own_directions=["Sign language"])
    actions.decide_proposal(user=officer, proposal=DirectionProposal.objects.get(
        volunteer=proposer), code="sign-language",
        names={"kk": "Ымдау тілі", "ru": "Жестовый язык", "en": "Sign language"})
    cards = assert_same_as_whole_rebuild()
    assert "sign-language" in cards[proposer.pk]["directions"]

    # A whole rebuild over the incremental list changes nothing and keeps every address.
    ids = dict(VolunteerCard.objects.values_list("volunteer_id", "id"))
    rebuild_cards()
    assert release() == cards
    assert dict(VolunteerCard.objects.values_list("volunteer_id", "id")) == ids


def test_an_action_in_one_oblast_never_rewrites_another(built, officer, resident):
    north = card_versions(OBLAST)
    assert len(north) >= 10
    kostanay = card_versions(KOSTANAY)
    k3 = built["places"]["k3"]
    actions.sign_up(user=resident, data=questionnaire(
        200, k3, birth_year=YEAR - 50, gender="m", directions=["transport"]))
    actions.pause(user=officer, volunteer=built["kos_women"][0])
    actions.leave(user=officer, volunteer=built["shymkent"][0])
    assert card_versions(OBLAST) == north
    # The control: the same check sees Kostanay's cards rewritten.
    assert card_versions(KOSTANAY) != kostanay
    # An oblast rebuild reads that oblast's volunteers only.
    active = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
    counts = rebuild_cards(oblast_ids=[area(KOSTANAY).pk, None])
    assert counts["listed"] + counts["suppressed"] == active.filter(
        oblast__kato=KOSTANAY).count()
    assert rebuild_cards(oblast_ids=[]) == {"listed": 0, "suppressed": 0}


def test_a_rebuild_in_another_oblast_does_not_wait(resident):
    """Another writer is rebuilding Pavlodar oblast (holds its lock): a Kostanay sign-up goes
    through, a Pavlodar entry waits for it (here: gives up after a second)."""
    pavlodar = area(PAVLODAR)
    officer = StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[pavlodar]).user
    settings_dict = connection.settings_dict
    other = psycopg.connect(dbname=settings_dict["NAME"], user=settings_dict["USER"],
                            host=settings_dict["HOST"], port=settings_dict["PORT"],
                            password=settings_dict["PASSWORD"] or None, autocommit=True)
    try:
        locked = other.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)",
                               [LOCK_KEY, pavlodar.pk]).fetchone()[0]
        assert locked
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
        (k3,) = _settlements(KOSTANAY_OKRUG_B, 1)
        actions.sign_up(user=resident, data=questionnaire(
            200, k3, birth_year=YEAR - 50, gender="m"))
        (settlement,) = _settlements("55", 1)
        with pytest.raises(DatabaseError, match="lock timeout"), transaction.atomic():
            enter(officer, 201, settlement, birth_year=YEAR - 40, gender="f")
    finally:
        other.close()


def test_the_nightly_command_rebuilds_the_whole_country(built):
    before = release()
    victim = built["kos_women"][0]
    VolunteerCard.objects.filter(volunteer=victim).update(age_shown="60+")
    out = io.StringIO()
    call_command("rebuild_volunteer_list", stdout=out)
    listed = len(before)
    active = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE).count()
    assert out.getvalue().strip() == (f"volunteer list rebuilt: {listed} listed, "
                                      f"{active - listed} suppressed")
    assert release() == before
    # After New Year the bands move: in five years the women of 30 are 35.
    rebuild_cards(today=date(YEAR + 5, 1, 1))
    aged = release()
    assert {aged[v.pk]["age_shown"] for v in built["nk_women"]} == {"35-44"}
