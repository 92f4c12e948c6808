"""The questionnaire: sign-up, edit, pause, leave (personal data erased, help statistics
kept), paper questionnaires by staff of the area only, "my own" directions promoted by a
moderator, clear 400/403/409 refusals."""

import json
from datetime import date

import pytest
from django.db import connection

from layers.volunteers import actions
from layers.volunteers.models import (
    Direction,
    DirectionProposal,
    Volunteer,
    VolunteerCard,
    VolunteerEvent,
)

from .conftest import enter, questionnaire

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def api_form(settlement, **overrides):
    data = {"full_name": "Self Signed", "phone": "+7 701 111 22 33", "birth_year": 1990,
            "gender": "m", "settlement": settlement.kato, "directions": ["physical"],
            "days": [5, 6], "hours": [10, 11, 12], "languages": ["kk"], "travel_km": 15,
            "has_car": True, "car_seats": 2}
    data.update(overrides)
    return data


def test_a_resident_signs_up_edits_pauses_and_resumes(client, resident, places):
    client.force_login(resident)
    bad = post(client, "/api/volunteers/me", api_form(places["a1"], birth_year=2020))
    assert bad.status_code == 400 and bad.json()["field"] == "birth_year"
    unknown = post(client, "/api/volunteers/me", api_form(places["a1"], directions=["magic"]))
    assert unknown.status_code == 400 and "magic" in unknown.json()["error"]
    assert not Volunteer.objects.filter(user=resident).exists()
    created = post(client, "/api/volunteers/me", api_form(places["a1"]))
    assert created.status_code == 200, created.content
    volunteer = Volunteer.objects.get(user=resident)
    assert volunteer.slots == [5 * 24 + 10, 5 * 24 + 11, 5 * 24 + 12, 6 * 24 + 10,
                               6 * 24 + 11, 6 * 24 + 12]
    assert volunteer.okrug.kato[:6] == places["a1"].kato[:6]
    edited = post(client, "/api/volunteers/me", api_form(places["a1"], travel_km=40,
                                                         own_directions=["Chess club"]))
    assert edited.status_code == 200 and edited.json()["id"] == volunteer.pk
    volunteer.refresh_from_db()
    assert volunteer.travel_km == 40
    assert volunteer.proposals.get().text == "Chess club"
    client.post("/volunteers/me/", {"action": "pause"})
    volunteer.refresh_from_db()
    assert volunteer.status == "paused"
    assert not VolunteerCard.objects.filter(volunteer=volunteer).exists()
    client.post("/volunteers/me/", {"action": "resume"})
    volunteer.refresh_from_db()
    assert volunteer.status == "active"
    assert [e.kind for e in VolunteerEvent.objects.filter(volunteer=volunteer)
            .order_by("created_at", "pk")] == ["created", "updated", "paused", "resumed"]


def test_leaving_erases_personal_data_and_keeps_the_row(client, resident, places):
    client.force_login(resident)
    post(client, "/api/volunteers/me", api_form(places["a1"], email="leaver@example.kz"))
    volunteer = Volunteer.objects.get(user=resident)
    client.post("/volunteers/me/", {"action": "leave"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone, email, phone_index, person_index, birth_year, "
                       "settlement_id, geom, user_id, status FROM volunteers_volunteer "
                       "WHERE id = %s", [volunteer.pk])
        row = cursor.fetchone()
    assert row[:9] == (None,) * 9 and row[9] == "left"
    assert not VolunteerCard.objects.filter(volunteer_id=volunteer.pk).exists()
    # They may join again later, as a new questionnaire.
    again = post(client, "/api/volunteers/me", api_form(places["a1"]))
    assert again.status_code == 200 and again.json()["id"] != volunteer.pk


def test_staff_enter_paper_questionnaires_of_their_area_only(oblast_officer, district_ngo,
                                                             far_officer, places):
    first, created = actions.enter_paper(user=district_ngo, data=questionnaire(1, places["a1"]))
    assert created and first.entered_by == district_ngo and first.user is None
    # The same person again (name, birth year, settlement) updates the questionnaire.
    same, created = actions.enter_paper(user=oblast_officer,
                                        data=questionnaire(1, places["a1"], travel_km=50))
    assert not created and same.pk == first.pk and same.travel_km == 50
    with pytest.raises(actions.VolunteerForbidden):
        actions.enter_paper(user=far_officer, data=questionnaire(2, places["a1"]))
    with pytest.raises(actions.VolunteerForbidden):  # the NGO's district does not reach here
        actions.enter_paper(user=district_ngo, data=questionnaire(3, places["other"]))
    with pytest.raises(actions.VolunteerForbidden):
        actions.update_questionnaire(user=far_officer, volunteer=first,
                                     data=questionnaire(1, places["a1"]))
    with pytest.raises(actions.VolunteerForbidden):
        actions.leave(user=far_officer, volunteer=first)
    assert Volunteer.objects.filter(full_name__isnull=False, entered_by=district_ngo
                                    ).count() == 1


def test_a_moderator_promotes_a_proposed_direction(oblast_officer, far_officer, places):
    volunteer = enter(oblast_officer, 5, places["a1"], own_directions=["Sign language"])
    proposal = DirectionProposal.objects.get(volunteer=volunteer)
    with pytest.raises(actions.VolunteerForbidden):
        actions.decide_proposal(user=far_officer, proposal=proposal, code="sign")
    with pytest.raises(actions.VolunteerError):
        actions.decide_proposal(user=oblast_officer, proposal=proposal, code="sign-language",
                                names={"kk": "Ымдау тілі"})
    actions.decide_proposal(user=oblast_officer, proposal=proposal, code="sign-language",
                            names={"kk": "Ымдау тілі", "ru": "Жестовый язык",
                                   "en": "Sign language"})
    assert Direction.objects.get(code="sign-language").name_en == "Sign language"
    volunteer.refresh_from_db()
    assert "sign-language" in volunteer.directions
    with pytest.raises(actions.VolunteerConflict):
        actions.decide_proposal(user=oblast_officer, proposal=proposal)
    # Others can now choose it from the list.
    other = enter(oblast_officer, 6, places["a2"], directions=["sign-language"])
    assert other.directions == ["sign-language"]
    assert date.today().year - other.birth_year >= 16


def test_demo_loader_makes_listed_volunteers_with_records_once():
    from django.contrib.auth import get_user_model

    from layers.volunteers.demo import load_demo_volunteers
    from layers.volunteers.models import HelpRecord, Review

    get_user_model().objects.create_superuser("demo-admin-test", "a@example.kz", "x" * 20)
    report = {"created": [], "unchanged": []}
    load_demo_volunteers(report)
    assert report["created"] and "volunteers:" in report["created"][0]
    demo = Volunteer.objects.filter(email__isnull=False, person_index__isnull=False)
    assert demo.count() >= 100
    assert VolunteerCard.objects.values("oblast").distinct().count() >= 3
    assert HelpRecord.objects.filter(confirmed_at__isnull=False).exists()
    assert Review.objects.exists()
    again = {"created": [], "unchanged": []}
    load_demo_volunteers(again)
    assert again["unchanged"] and not again["created"]


def test_the_questionnaire_page_signs_up_and_edits(client, resident, places):
    assert client.get("/volunteers/join/").status_code == 302  # sign in first
    client.force_login(resident)
    assert client.get("/volunteers/join/").status_code == 200
    form = {"full_name": "Page Volunteer", "phone": "+7 705 123 45 67", "birth_year": "1990",
            "gender": "f", "settlement": places["a1"].kato, "directions": ["teaching"],
            "days": ["5", "6"], "hour_from": "10", "hour_to": "13", "languages": ["kk"],
            "travel_km": "12"}
    bad = client.post("/volunteers/join/", {**form, "settlement": "000000000"})
    assert bad.status_code == 400 and b"Home settlement is missing or unknown" in bad.content
    assert client.post("/volunteers/join/", form).status_code == 302
    volunteer = Volunteer.objects.get(user=resident)
    assert volunteer.slots == [130, 131, 132, 154, 155, 156]
    page = client.get("/volunteers/join/")
    assert b'value="Page Volunteer"' in page.content
    assert client.post("/volunteers/join/", {**form, "travel_km": "30"}).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.travel_km == 30
