"""The rules of pooled funding, action by action, against PostGIS."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gis_portal.funding import actions
from gis_portal.funding.actions import FundingConflict, FundingError, FundingForbidden
from gis_portal.funding.models import FundingEvent, Fundraiser, Pledge
from layers.areas.models import Settlement
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
Status = Pledge.Status


def test_a_pledge_adds_to_the_running_total_and_is_audited(make_fundraiser, donor):
    fundraiser = make_fundraiser("1000.00")
    pledge = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("250.50"),
                            anonymous=False)
    assert pledge.status == Status.ACTIVE and pledge.amount == D("250.50")
    assert fundraiser.pledged_total == D("250.50")
    fundraiser.refresh_from_db()
    assert fundraiser.progress() == {
        "goal": D("1000.00"), "pledged": D("250.50"), "confirmed": D("0.00"),
        "remaining": D("749.50"), "percent_pledged": D("25.0"), "percent_confirmed": D("0.0")}
    event = FundingEvent.objects.get(pledge=pledge)
    assert (event.kind, event.actor, event.amount) == ("pledged", donor, D("250.50"))
    assert pledge.expires_at - pledge.created_at == timedelta(days=14)


def test_the_whole_remainder(make_fundraiser, donor):
    fundraiser = make_fundraiser("1000.00")
    actions.pledge(user=UserFactory(), fundraiser=fundraiser, amount=D("333.33"))
    pledge = actions.pledge(user=donor, fundraiser=fundraiser, amount="remainder")
    assert pledge.amount == D("666.67")
    assert fundraiser.remaining == 0
    with pytest.raises(FundingConflict) as refused:
        actions.pledge(user=donor, fundraiser=fundraiser, amount=None)
    assert refused.value.status == 409 and refused.value.code == "fully_pledged"


def test_a_pledge_above_the_remainder_says_how_much_remains(make_fundraiser, donor):
    fundraiser = make_fundraiser("1000.00")
    actions.pledge(user=donor, fundraiser=fundraiser, amount=D("900"))
    with pytest.raises(FundingConflict) as refused:
        actions.pledge(user=donor, fundraiser=fundraiser, amount=D("100.01"))
    assert refused.value.status == 409
    assert refused.value.remaining == D("100.00")
    assert "100.00" in refused.value.message
    assert Pledge.objects.filter(fundraiser=fundraiser).count() == 1


@pytest.mark.parametrize("amount, message", [
    ("abc", "must be a number"), ("", "must be a number"), ("1e3", "must be a number"),
    ("NaN", "must be a number"), (D("Infinity"), "must be a number"), (True, "must be a number"),
    ([5], "must be a number"), ("-5", "more than zero"), (D("0"), "more than zero"),
    ("0.00", "more than zero"), (D("-0.01"), "more than zero"), ("10.001", "two decimals"),
    (D("1.005"), "two decimals"), ("1000000000000", "too large"),
    # Past Decimal's precision: refused as too large, never a failed rounding.
    (10**40, "too large"), ("1" + "0" * 60 + ".5", "too large"),
])
def test_bad_amounts_are_400_and_write_nothing(make_fundraiser, donor, amount, message):
    fundraiser = make_fundraiser("1000.00")
    with pytest.raises(FundingError) as refused:
        actions.pledge(user=donor, fundraiser=fundraiser, amount=amount)
    assert refused.value.status == 400 and refused.value.field == "amount"
    assert message in refused.value.message
    assert not Pledge.objects.filter(fundraiser=fundraiser).exists()


@pytest.mark.parametrize("text, expected", [
    ("1500", D("1500.00")), ("1500.5", D("1500.50")), ("1 500,50", D("1500.50")),
    ("1\u00a0500", D("1500.00")), (1500, D("1500.00")), (12.5, D("12.50")),
])
def test_amounts_people_type(text, expected):
    assert actions.parse_amount(text) == expected


def test_pledging_on_a_closed_fundraiser_is_409(make_fundraiser, donor):
    fundraiser = make_fundraiser()
    actions.close_fundraiser(fundraiser=fundraiser, reason="the project is completed")
    with pytest.raises(FundingConflict) as refused:
        actions.pledge(user=donor, fundraiser=fundraiser, amount=D("10"))
    assert refused.value.code == "closed" and "completed" in refused.value.message
    actions.reopen_fundraiser(fundraiser=fundraiser)
    assert actions.pledge(user=donor, fundraiser=fundraiser, amount=D("10")).amount == D("10")


def test_the_target_may_refuse_pledges(make_fundraiser, donor, monkeypatch):
    fundraiser = make_fundraiser()
    monkeypatch.setattr(Settlement, "pledge_refusal",
                        lambda self, fundraiser: "The project is not published.", raising=False)
    with pytest.raises(FundingConflict) as refused:
        actions.pledge(user=donor, fundraiser=fundraiser, amount=D("10"))
    assert refused.value.status == 409 and refused.value.message == "The project is not published."


def test_anonymous_users_cannot_pledge(make_fundraiser):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(FundingError) as refused:
        actions.pledge(user=AnonymousUser(), fundraiser=make_fundraiser(), amount=D("1"))
    assert refused.value.status == 401


def test_the_target_hears_of_every_change_inside_the_transaction(make_fundraiser, donor, officer,
                                                                  monkeypatch):
    fundraiser = make_fundraiser("100.00")
    heard = []

    def funding_changed(self, changed):
        assert connection.in_atomic_block
        heard.append((changed.pledged_total, changed.confirmed_total))

    monkeypatch.setattr(Settlement, "funding_changed", funding_changed, raising=False)
    first = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("60"))
    second = actions.pledge(user=donor, fundraiser=fundraiser, amount=None)
    actions.confirm_pledge(user=officer, pledge=first)
    actions.cancel_pledge(user=officer, pledge=second, reason="no money came")
    actions.withdraw_pledge(user=donor, pledge=actions.pledge(user=donor, fundraiser=fundraiser,
                                                             amount=D("5")))
    actions.change_goal(user=officer, fundraiser=fundraiser, goal=D("80"))
    assert heard == [(D("60"), 0), (D("100"), 0), (D("100"), D("60")), (D("60"), D("60")),
                     (D("65"), D("60")), (D("60"), D("60")), (D("60"), D("60"))]


def test_confirm_cancel_withdraw(make_fundraiser, donor, officer):
    fundraiser = make_fundraiser("1000.00")
    first = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("100"))
    second = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("200"))
    third = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("300"))
    actions.confirm_pledge(user=officer, pledge=first)
    actions.cancel_pledge(user=officer, pledge=second, reason="donor changed their mind")
    actions.withdraw_pledge(user=donor, pledge=third)
    fundraiser.refresh_from_db()
    assert (fundraiser.pledged_total, fundraiser.confirmed_total) == (D("100"), D("100"))
    assert [p.status for p in (first, second, third)] == ["confirmed", "cancelled", "withdrawn"]
    assert first.decided_by == officer and second.note == "donor changed their mind"
    # A confirmed pledge can no longer be withdrawn, a decided one not confirmed again.
    with pytest.raises(FundingConflict):
        actions.withdraw_pledge(user=donor, pledge=first)
    with pytest.raises(FundingConflict):
        actions.confirm_pledge(user=officer, pledge=second)
    with pytest.raises(FundingConflict):
        actions.confirm_pledge(user=officer, pledge=first)
    # Cancelling a confirmed pledge (money returned) frees both totals.
    actions.cancel_pledge(user=officer, pledge=first, reason="refunded")
    fundraiser.refresh_from_db()
    assert (fundraiser.pledged_total, fundraiser.confirmed_total) == (0, 0)
    kinds = list(FundingEvent.objects.filter(fundraiser=fundraiser).order_by("pk")
                 .values_list("kind", flat=True))
    assert kinds == ["opened", "pledged", "pledged", "pledged", "confirmed", "cancelled",
                     "withdrawn", "cancelled"]


def test_only_the_donor_withdraws(make_fundraiser, donor):
    pledge = actions.pledge(user=donor, fundraiser=make_fundraiser(), amount=D("10"))
    with pytest.raises(FundingForbidden):
        actions.withdraw_pledge(user=UserFactory(), pledge=pledge)


def test_staff_of_another_oblast_and_residents_are_refused(make_fundraiser, donor,
                                                           foreign_officer):
    fundraiser = make_fundraiser()
    pledge = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("10"))
    for user in (foreign_officer, donor):
        for act in (actions.confirm_pledge, actions.cancel_pledge):
            with pytest.raises(FundingForbidden) as refused:
                act(user=user, pledge=pledge)
            assert refused.value.status == 403
        with pytest.raises(FundingForbidden):
            actions.change_goal(user=user, fundraiser=fundraiser, goal=D("5000"))
    pledge.refresh_from_db()
    assert pledge.status == Status.ACTIVE


def test_an_oblast_officer_covers_its_districts(make_fundraiser, donor, district):
    from gis_portal.accounts.models import StaffRole
    from tests.accounts.factories import StaffRoleFactory

    oblast_officer = StaffRoleFactory(kind=StaffRole.Kind.NGO_OPERATOR,
                                      areas=[district.parent]).user
    pledge = actions.pledge(user=donor, fundraiser=make_fundraiser(), amount=D("10"))
    actions.confirm_pledge(user=oblast_officer, pledge=pledge)
    assert pledge.status == Status.CONFIRMED
    assert list(actions.pledges_awaiting_confirmation(oblast_officer)) == []


def test_the_goal_never_drops_below_what_is_pledged(make_fundraiser, donor, officer):
    fundraiser = make_fundraiser("1000")
    actions.pledge(user=donor, fundraiser=fundraiser, amount=D("600"))
    with pytest.raises(FundingConflict) as refused:
        actions.change_goal(user=officer, fundraiser=fundraiser, goal=D("599.99"))
    assert "600.00" in refused.value.message and refused.value.field == "goal"
    actions.change_goal(user=officer, fundraiser=fundraiser, goal=D("600"))
    assert fundraiser.remaining == 0


def test_opening_again_updates_and_reopens(make_fundraiser, district):
    fundraiser = make_fundraiser("100")
    actions.close_fundraiser(fundraiser=fundraiser, reason="rejected")
    again = actions.open_fundraiser(target=fundraiser.target, goal=D("150"), area=district)
    assert again.pk == fundraiser.pk and again.is_open and again.goal == D("150")
    assert actions.fundraiser_for(fundraiser.target) == again
    assert actions.fundraiser_for(Settlement.objects.exclude(pk=fundraiser.object_id)
                                  .first()) is None


def test_the_database_refuses_oversubscription_on_its_own(make_fundraiser):
    fundraiser = make_fundraiser("100")
    for column, value in (("pledged_total", "100.01"), ("confirmed_total", "1"),
                          ("goal", "0")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Fundraiser.objects.filter(pk=fundraiser.pk).update(**{column: D(value)})
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(fundraiser=fundraiser, donor=UserFactory(), amount=D("0"),
                              expires_at=timezone.now())


def test_the_audit_is_append_only_in_the_database(make_fundraiser):
    fundraiser = make_fundraiser()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE funding_fundingevent SET note = 'x' WHERE fundraiser_id = %s",
                           [fundraiser.pk])


# --- expiry ------------------------------------------------------------------------------------

def test_unconfirmed_pledges_expire_after_the_hold(make_fundraiser, donor, officer):
    fundraiser = make_fundraiser("1000")
    stale = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("400"))
    kept = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("100"))
    actions.confirm_pledge(user=officer, pledge=kept)
    assert actions.expire_pledges(now=timezone.now() + timedelta(days=13, hours=23)) == 0
    assert actions.expire_pledges(now=timezone.now() + timedelta(days=14, minutes=1)) == 1
    stale.refresh_from_db()
    fundraiser.refresh_from_db()
    assert stale.status == Status.EXPIRED
    assert (fundraiser.pledged_total, fundraiser.confirmed_total) == (D("100"), D("100"))
    event = FundingEvent.objects.get(pledge=stale, kind="expired")
    assert event.actor is None and event.amount == D("400")
    with pytest.raises(FundingConflict):
        actions.confirm_pledge(user=officer, pledge=stale)


def test_the_hold_comes_from_the_setting(make_fundraiser, donor, settings):
    settings.TZ_PLEDGE_HOLD_DAYS = 3
    pledge = actions.pledge(user=donor, fundraiser=make_fundraiser(), amount=D("1"))
    assert pledge.expires_at - pledge.created_at == timedelta(days=3)


def test_a_pledge_frees_the_stale_ones_first(make_fundraiser, donor, monkeypatch):
    fundraiser = make_fundraiser("1000")
    start = timezone.now()
    monkeypatch.setattr(actions, "clock", lambda: start)
    stale = actions.pledge(user=donor, fundraiser=fundraiser, amount=None)
    monkeypatch.setattr(actions, "clock", lambda: start + timedelta(days=15))
    fresh = actions.pledge(user=UserFactory(), fundraiser=fundraiser, amount=None)
    assert fresh.amount == D("1000.00")
    stale.refresh_from_db()
    assert stale.status == Status.EXPIRED


def test_the_expire_pledges_command_acts_and_counts(make_fundraiser, donor):
    from io import StringIO

    from django.core.management import call_command

    pledge = actions.pledge(user=donor, fundraiser=make_fundraiser(), amount=D("10"))
    Pledge.objects.filter(pk=pledge.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("expire_pledges", stdout=out)
    assert "1" in out.getvalue()
    pledge.refresh_from_db()
    assert pledge.status == Status.EXPIRED


# --- reading -------------------------------------------------------------------------------------

def test_the_public_donor_list_shows_the_chosen_name_and_amount_only(make_fundraiser):
    fundraiser = make_fundraiser("1000")
    named = UserFactory(first_name="Aigerim", last_name="Seitova", email="aigerim@example.kz")
    bare = UserFactory(username="nurlan77")
    hidden = UserFactory(first_name="Secret", last_name="Person")
    actions.pledge(user=named, fundraiser=fundraiser, amount=D("10"))
    actions.pledge(user=bare, fundraiser=fundraiser, amount=D("20"))
    actions.pledge(user=hidden, fundraiser=fundraiser, amount=D("30"), anonymous=True)
    withdrawn = actions.pledge(user=named, fundraiser=fundraiser, amount=D("40"))
    actions.withdraw_pledge(user=named, pledge=withdrawn)
    donors = actions.public_donors(fundraiser)
    assert donors == [
        {"name": "Anonymous donor", "amount": D("30.00"), "confirmed": False},
        {"name": "nurlan77", "amount": D("20.00"), "confirmed": False},
        {"name": "Aigerim Seitova", "amount": D("10.00"), "confirmed": False},
    ]
    assert "Secret" not in str(donors) and "example.kz" not in str(donors)


def test_the_staff_queue_holds_the_active_pledges_of_their_areas(make_fundraiser, donor,
                                                                 officer, foreign_officer):
    pledge = actions.pledge(user=donor, fundraiser=make_fundraiser(), amount=D("10"))
    assert list(actions.pledges_awaiting_confirmation(officer)) == [pledge]
    assert list(actions.pledges_awaiting_confirmation(foreign_officer)) == []
    assert list(actions.pledges_awaiting_confirmation(donor)) == []
