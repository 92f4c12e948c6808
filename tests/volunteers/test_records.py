"""Help records confirmed once, reviews once per record and moderated, counts per volunteer
per month, quarter and year and per area, permissions by area."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from layers.volunteers import actions, stats
from tests.help.conftest import make

from .conftest import OBLAST, enter

pytestmark = pytest.mark.django_db


@pytest.fixture
def helped(oblast_officer, places):
    volunteer = enter(oblast_officer, 1, places["a1"], directions=["physical"])
    requests = [make(oblast_officer, n, places["a1"] if n < 3 else places["other"],
                     kind="firewood") for n in range(1, 5)]
    return volunteer, requests


def test_a_record_is_confirmed_once_and_reviewed_once(helped, oblast_officer, far_officer,
                                                     resident):
    volunteer, requests = helped
    today = timezone.localdate()
    with pytest.raises(actions.VolunteerForbidden):
        actions.record_help(user=far_officer, volunteer=volunteer, help_request=requests[0],
                            helped_on=today)
    with pytest.raises(actions.VolunteerForbidden):  # not assigned: the volunteer cannot
        volunteer.user = resident
        volunteer.save()
        actions.record_help(user=resident, volunteer=volunteer, help_request=requests[0],
                            helped_on=today)
    with pytest.raises(actions.VolunteerError):
        actions.record_help(user=oblast_officer, volunteer=volunteer,
                            help_request=requests[0], helped_on=today + timedelta(days=2))
    record = actions.record_help(user=oblast_officer, volunteer=volunteer,
                                 help_request=requests[0], helped_on=today)
    assert record.oblast.kato == OBLAST
    with pytest.raises(actions.VolunteerConflict):
        actions.record_help(user=oblast_officer, volunteer=volunteer,
                            help_request=requests[0], helped_on=today)
    with pytest.raises(actions.VolunteerConflict):  # review needs a confirmed record
        actions.write_review(user=oblast_officer, record=record, positive=True)
    with pytest.raises(actions.VolunteerForbidden):
        actions.confirm_record(user=far_officer, record=record, via="staff")
    actions.confirm_record(user=oblast_officer, record=record, via="person")
    with pytest.raises(actions.VolunteerConflict):
        actions.confirm_record(user=oblast_officer, record=record, via="staff")
    with pytest.raises(actions.VolunteerError):
        actions.write_review(user=oblast_officer, record=record, positive=True,
                             text="Call me on +7 701 234 56 78")
    review = actions.write_review(user=oblast_officer, record=record, positive=True,
                                  text="Very kind, came on time.")
    with pytest.raises(actions.VolunteerConflict):
        actions.write_review(user=oblast_officer, record=record, positive=False)
    with pytest.raises(actions.VolunteerForbidden):
        actions.moderate_review(user=far_officer, review=review, approve=True)
    actions.moderate_review(user=oblast_officer, review=review, approve=True)
    with pytest.raises(actions.VolunteerConflict):
        actions.moderate_review(user=oblast_officer, review=review, approve=False)


def test_confirm_api_answers_409_the_second_time(client, helped, oblast_officer):
    volunteer, requests = helped
    client.force_login(oblast_officer)
    made = client.post(f"/api/volunteers/requests/{requests[0].pk}/records",
                       {"volunteer": volunteer.pk, "helped_on": str(timezone.localdate())},
                       content_type="application/json")
    assert made.status_code == 200, made.content
    url = f"/api/volunteers/records/{made.json()['record']}/confirm"
    assert client.post(url, {"via": "staff"}, content_type="application/json"
                       ).status_code == 200
    second = client.post(url, {"via": "staff"}, content_type="application/json")
    assert second.status_code == 409 and second.json()["error"]


def test_counts_per_volunteer_and_area_count_each_record_once(helped, oblast_officer, places):
    volunteer, requests = helped
    other = enter(oblast_officer, 2, places["a2"], directions=["physical"])
    days = [date(2026, 1, 10), date(2026, 2, 3), date(2026, 5, 20), date(2026, 5, 21)]
    for help_request, day in zip(requests, days, strict=True):
        record = actions.record_help(user=oblast_officer, volunteer=volunteer,
                                     help_request=help_request, helped_on=day)
        actions.confirm_record(user=oblast_officer, record=record, via="staff")
        review = actions.write_review(user=oblast_officer, record=record,
                                      positive=day.month != 2)
        if day != date(2026, 5, 21):  # one positive review still waits for moderation
            actions.moderate_review(user=oblast_officer, review=review, approve=True)
    # An unconfirmed record counts nowhere.
    actions.record_help(user=oblast_officer, volunteer=other, help_request=requests[0],
                        helped_on=date(2026, 1, 11))
    months = stats.volunteer_counts("month", volunteer_id=volunteer.pk)
    assert [(r["period"].month, r["helped"], r["positive"]) for r in months] == [
        (1, 1, 1), (2, 1, 0), (5, 2, 1)]
    quarters = stats.volunteer_counts("quarter")
    assert [(r["volunteer"], r["period"].month, r["helped"], r["positive"])
            for r in quarters] == [(volunteer.pk, 1, 2, 1), (volunteer.pk, 4, 2, 1)]
    year = stats.volunteer_counts("year")
    assert [(r["helped"], r["positive"]) for r in year] == [(4, 2)]
    oblasts = stats.area_counts("oblast", "year")
    assert [(r["kato"], r["helped"], r["positive"], r["volunteers"]) for r in oblasts] == [
        (OBLAST, 4, 2, 1)]
    districts = stats.area_counts("district", "year")
    assert sum(r["helped"] for r in districts) == 4 and len(districts) == 2
    # The volunteer leaves: their help still counts, anonymously.
    actions.leave(user=oblast_officer, volunteer=volunteer)
    assert [(r["helped"], r["positive"]) for r in stats.area_counts("oblast", "year")] == [
        (4, 2)]
