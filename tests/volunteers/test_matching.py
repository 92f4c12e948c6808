"""Matching in PostGIS on data built for it: direction (through the kind → direction table),
availability, each volunteer's own travel distance, nearest first; open requests near a
volunteer; staff assign, the volunteer accepts or declines."""

import math

import pytest
from django.contrib.gis.db.models.functions import Distance

from layers.help.models import HelpRequest
from layers.volunteers import actions, matching
from layers.volunteers.models import Assignment, KindDirection
from tests.help.conftest import make

from .conftest import enter

pytestmark = pytest.mark.django_db


def km_to(help_request, settlement) -> float:
    return HelpRequest.objects.filter(pk=help_request.pk).annotate(
        d=Distance("geom", settlement.geom)).get().d.km


@pytest.fixture
def scene(oblast_officer, places):
    """A firewood request in okrug A; volunteers around it who fit or miss in one way each."""
    request = make(oblast_officer, 1, places["a1"], kind="firewood")
    far_km = km_to(request, places["other"])
    b_km = km_to(request, places["b"])
    v = {
        "here": enter(oblast_officer, 1, places["a1"], directions=["physical"], travel_km=5),
        "b": enter(oblast_officer, 2, places["b"], directions=["collection"],
                   travel_km=math.ceil(b_km) + 1),
        "far_reaching": enter(oblast_officer, 3, places["other"], directions=["physical"],
                              travel_km=math.ceil(far_km) + 1),
        "far_short": enter(oblast_officer, 4, places["other"], directions=["physical"],
                           travel_km=max(1, math.floor(far_km) - 1)),
        "wrong_direction": enter(oblast_officer, 5, places["a1"], directions=["teaching"]),
        "never_free": enter(oblast_officer, 6, places["a1"], directions=["physical"],
                            slots=[]),
        "paused": enter(oblast_officer, 7, places["a1"], directions=["physical"]),
    }
    actions.pause(user=oblast_officer, volunteer=v["paused"])
    assert b_km < far_km
    return request, v


def test_volunteers_for_a_request_fit_direction_availability_and_their_radius(scene):
    request, v = scene
    found = matching.volunteers_for_request(request.pk)
    assert [pk for pk, _d in found] == [v["here"].pk, v["b"].pk, v["far_reaching"].pk]
    distances = [d for _pk, d in found]
    assert distances == sorted(distances) and distances[0] < 1000
    # Only Monday/Tuesday 9–12 are offered: asking for Sunday evening finds nobody.
    assert matching.volunteers_for_request(request.pk, slots=[6 * 24 + 20]) == []
    assert len(matching.volunteers_for_request(request.pk, slots=[0 * 24 + 10])) == 3


def test_the_mapping_is_data(scene):
    request, v = scene
    KindDirection.objects.filter(kind_id="firewood", direction_id="collection").delete()
    assert v["b"].pk not in [pk for pk, _d in matching.volunteers_for_request(request.pk)]
    KindDirection.objects.create(kind_id="firewood", direction_id="teaching")
    assert v["wrong_direction"].pk in [pk for pk, _d in
                                       matching.volunteers_for_request(request.pk)]


def test_open_requests_near_a_volunteer(scene, oblast_officer, places):
    request, v = scene
    legal = make(oblast_officer, 2, places["a1"], kind="legal", topic="consultative",
                 amount_needed=None)
    assert [pk for pk, _d in matching.requests_for_volunteer(v["here"].pk)] == [request.pk]
    assert matching.requests_for_volunteer(v["far_short"].pk) == []
    assert legal.pk not in [pk for pk, _d in matching.requests_for_volunteer(v["b"].pk)]


def test_staff_assign_and_the_volunteer_answers(client, scene, oblast_officer, far_officer,
                                                resident):
    request, v = scene
    volunteer = v["here"]
    volunteer.user = resident
    volunteer.save()
    client.force_login(far_officer)
    assert client.get(f"/api/volunteers/match/request/{request.pk}").status_code == 404
    forbidden = client.post(f"/api/volunteers/requests/{request.pk}/assign",
                            {"volunteer": volunteer.pk}, content_type="application/json")
    assert forbidden.status_code == 404
    client.force_login(oblast_officer)
    matched = client.get(f"/api/volunteers/match/request/{request.pk}").json()
    assert matched["volunteers"][0]["volunteer"] == volunteer.pk
    assigned = client.post(f"/api/volunteers/requests/{request.pk}/assign",
                           {"volunteer": volunteer.pk}, content_type="application/json")
    assert assigned.status_code == 200, assigned.content
    again = client.post(f"/api/volunteers/requests/{request.pk}/assign",
                        {"volunteer": volunteer.pk}, content_type="application/json")
    assert again.status_code == 409
    assignment = Assignment.objects.get(pk=assigned.json()["assignment"])
    with pytest.raises(actions.VolunteerForbidden):
        actions.answer_assignment(user=oblast_officer, assignment=assignment, accept=True)
    client.force_login(resident)
    page = client.get("/volunteers/me/")
    assert b"Accept" in page.content
    client.post("/volunteers/me/", {"action": "accept", "assignment": assignment.pk})
    assignment.refresh_from_db()
    assert assignment.status == "accepted"
    with pytest.raises(actions.VolunteerConflict):
        actions.answer_assignment(user=resident, assignment=assignment, accept=False)
    mine = client.get("/api/volunteers/match/me").json()
    assert mine["requests"][0]["request"] == request.pk
    assert f'href="/help/{request.pk}/"'.encode() in client.get("/volunteers/me/").content
