"""Pledges racing each other for one fundraiser, in real threads with separate PostgreSQL
connections, and through the portal under gunicorn with real HTTP sessions: the goal is never
oversubscribed and every accepted pledge is recorded."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from threading import Barrier

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gis_portal.funding import actions
from gis_portal.funding.actions import FundingConflict
from gis_portal.funding.models import FundingEvent, Fundraiser, Pledge

from .committed import CommittedFunding

# The tests' own connection stays idle: every row is written by pool threads, each on its own
# connection, and committed (see committed.py); the mark only sets up the test database.
pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    rows = CommittedFunding(django_db_blocker)
    yield rows
    rows.remove()


def state_of(committed, fundraiser_id):
    def read():
        fundraiser = Fundraiser.objects.get(pk=fundraiser_id)
        pledges = list(Pledge.objects.filter(fundraiser_id=fundraiser_id))
        events = FundingEvent.objects.filter(fundraiser_id=fundraiser_id, kind="pledged").count()
        return fundraiser, pledges, events

    return committed.run(read)


def test_twenty_threads_race_for_a_goal_that_fits_six(committed):
    fundraiser = committed.fundraiser("1000.00")
    donors = committed.users(20)

    def pledge(donor):
        return actions.pledge(user=donor, fundraiser=Fundraiser.objects.get(pk=fundraiser.pk),
                              amount=D("150.00"))

    results = committed.race(pledge, donors)
    accepted = [r for r in results if isinstance(r, Pledge)]
    refused = [r for r in results if isinstance(r, FundingConflict)]
    assert len(accepted) == 6 and len(refused) == 14, results
    assert {r.code for r in refused} == {"over_remainder"}
    assert all(r.remaining == D("100.00") for r in refused)
    stored, pledges, events = state_of(committed, fundraiser.pk)
    assert stored.pledged_total == D("900.00") <= stored.goal
    assert sorted(p.pk for p in pledges) == sorted(p.pk for p in accepted)
    assert sum(p.amount for p in pledges) == stored.pledged_total and events == 6


def test_everyone_asks_for_the_whole_remainder_at_once(committed):
    fundraiser = committed.fundraiser("777.77")
    donors = committed.users(12)

    def pledge(donor):
        return actions.pledge(user=donor, fundraiser=Fundraiser.objects.get(pk=fundraiser.pk),
                              amount=None)

    results = committed.race(pledge, donors)
    winners = [r for r in results if isinstance(r, Pledge)]
    assert len(winners) == 1 and winners[0].amount == D("777.77"), results
    assert all(isinstance(r, FundingConflict) and r.code == "fully_pledged"
               for r in results if r is not winners[0])
    stored, pledges, _ = state_of(committed, fundraiser.pk)
    assert stored.pledged_total == stored.goal and len(pledges) == 1


def test_pledges_withdrawals_confirmations_and_expiry_together_keep_the_totals(committed):
    """Mixed traffic: new pledges, withdrawals, staff confirmations and the expiry job, all at
    once. The running totals always equal the sums of the pledges."""
    from gis_portal.accounts.models import StaffRole
    from tests.accounts.factories import StaffRoleFactory

    fundraiser = committed.fundraiser("5000.00")
    donors = committed.users(16)

    def prepare():
        officer = StaffRoleFactory(kind=StaffRole.Kind.ADMINISTRATOR, user=donors[0]).user
        live = Fundraiser.objects.get(pk=fundraiser.pk)
        first = [actions.pledge(user=d, fundraiser=live, amount=D("100")) for d in donors[:8]]
        # Three of them are past their hold already.
        Pledge.objects.filter(pk__in=[p.pk for p in first[5:]]).update(
            expires_at=timezone.now() - timedelta(minutes=1))
        return officer, first

    officer, first = committed.run(prepare)
    jobs = ([("pledge", d) for d in donors[8:]] + [("withdraw", p) for p in first[:2]]
            + [("confirm", p) for p in first[2:5]] + [("expire", None)] * 2)

    def act(job):
        kind, subject = job
        if kind == "pledge":
            return actions.pledge(user=subject, fundraiser=Fundraiser.objects.get(
                pk=fundraiser.pk), amount=D("600"))
        if kind == "withdraw":
            return actions.withdraw_pledge(user=subject.donor, pledge=subject)
        if kind == "confirm":
            return actions.confirm_pledge(user=officer, pledge=subject)
        return actions.expire_pledges()

    results = committed.race(act, jobs)
    stored, pledges, _ = state_of(committed, fundraiser.pk)
    live = [p for p in pledges if p.status in Pledge.LIVE]
    confirmed = [p for p in pledges if p.status == "confirmed"]
    assert stored.pledged_total == sum((p.amount for p in live), D(0)) <= stored.goal
    assert stored.confirmed_total == sum((p.amount for p in confirmed), D(0)) == D("300")
    assert sorted(p.status for p in pledges if p.pk in {x.pk for x in first}) == (
        ["confirmed"] * 3 + ["expired"] * 3 + ["withdrawn"] * 2)
    # 5000 - 300 confirmed = 4700 free once the others are gone: 7 of 8 fit at 600 each.
    new = [r for r in results[:8] if isinstance(r, Pledge)]
    assert len(new) == 7, results
    # The expiry runs and the pledges (which expire stale pledges first) shared the three
    # stale ones: each expired exactly once.
    assert sum(r for r in results[-2:]) <= 3
    expired_events = committed.run(lambda: FundingEvent.objects.filter(
        fundraiser_id=fundraiser.pk, kind="expired").count())
    assert expired_events == 3


def test_a_pledge_storm_through_the_portal(committed, portal_server):
    """16 signed-in HTTP sessions pledge at once through gunicorn (2 workers × 2 threads):
    no oversubscription, and every 201 is a stored pledge."""
    fundraiser = committed.fundraiser("1000.00")
    donors = committed.users(16)

    def cookies():
        values = []
        for donor in donors:
            client = Client()
            client.force_login(donor)
            values.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
        return values

    sessions = []
    for cookie in committed.run(cookies):
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
        session.get(f"{portal_server}/funding/{fundraiser.pk}/", timeout=30).raise_for_status()
        session.headers["X-CSRFToken"] = session.cookies[settings.CSRF_COOKIE_NAME]
        sessions.append(session)
    start = Barrier(len(sessions))
    url = f"{portal_server}/api/funding/{fundraiser.pk}/pledges/"

    def pledge(session):
        start.wait()
        return session.post(url, json={"amount": "130.00"}, timeout=60)

    with ThreadPoolExecutor(len(sessions)) as pool:
        responses = list(pool.map(pledge, sessions))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 7 + [409] * 9, [r.text for r in responses]
    accepted = {r.json()["pledge"]["id"] for r in responses if r.status_code == 201}
    stored, pledges, _ = state_of(committed, fundraiser.pk)
    assert {p.pk for p in pledges} == accepted
    assert stored.pledged_total == D("910.00")
    assert all(r.json()["remaining"] == "90.00" for r in responses if r.status_code == 409)
