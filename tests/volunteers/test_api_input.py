"""Malformed input to the corps' JSON API, signed in as the staff of the area or as a
resident: every answer is a 4xx with a JSON message that says what to fix, never a server
error, and nothing is written."""

import json

import pytest
from django.test import Client

from layers.volunteers.models import Assignment, HelpRecord, Review, Volunteer

from .conftest import enter
from .test_questionnaire import api_form

pytestmark = pytest.mark.django_db

# Of a type no field takes: always refused. The others may suit some fields.
WRONG_TYPES = ({"a": 1}, [[]], 1e30, [{"a": 1}])
ODD_VALUES = (["x"], "abc", -1, True, None, "", [9999], "1e3")
QUESTIONNAIRE_FIELDS = ("directions", "own_directions", "slots", "days", "hours",
                        "languages", "birth_year", "car_seats", "travel_km", "settlement",
                        "has_car", "gender", "full_name", "phone", "email")


def posted(client, url, body) -> tuple[int, dict]:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    response = client.post(url, raw, content_type="application/json")
    assert response.status_code < 500, (url, body, response.content[:300])
    assert response["Content-Type"] == "application/json", (url, body)
    return response.status_code, response.json()


def test_malformed_questionnaires_are_refused_with_a_message(resident, oblast_officer,
                                                             places):
    client = Client(raise_request_exception=False)
    for user, url in ((resident, "/api/volunteers/me"),
                      (oblast_officer, "/api/volunteers/paper")):
        client.force_login(user)
        for body in ("not json", "[1, 2]", "null", b"\xff\xfe"):
            status, answer = posted(client, url, body)
            assert status == 400 and answer["error"], (url, body)
        for field in QUESTIONNAIRE_FIELDS:
            for value in WRONG_TYPES:
                status, answer = posted(client, url, {**api_form(places["a1"]), field: value})
                assert status == 400 and answer["field"] == field, (url, field, value, answer)
            for value in ODD_VALUES:  # taken as they are, or refused with a message
                status, answer = posted(client, url, {**api_form(places["a1"]), field: value})
                assert status == 200 or answer["error"], (url, field, value, answer)
    # A refused questionnaire wrote nothing: the resident's holds the last accepted values.
    client.force_login(resident)
    status, _answer = posted(client, "/api/volunteers/me", api_form(places["a1"]))
    assert status == 200
    posted(client, "/api/volunteers/me", api_form(places["a1"], travel_km=40, hours=[99]))
    assert Volunteer.objects.get(user=resident).travel_km == 15


def test_malformed_ids_and_values_of_the_staff_api_are_refused(oblast_officer, places):
    from tests.help.conftest import make

    client = Client(raise_request_exception=False)
    client.force_login(oblast_officer)
    request = make(oblast_officer, 1, places["a1"])
    volunteer = enter(oblast_officer, 1, places["a1"])
    urls = (f"/api/volunteers/requests/{request.pk}/assign",
            f"/api/volunteers/requests/{request.pk}/records")
    for url in urls:
        for value in (*WRONG_TYPES, *ODD_VALUES):
            for body in ({"volunteer": value, "helped_on": "2026-01-05"},
                         {"volunteer": volunteer.pk, "helped_on": value}):
                if url.endswith("assign") and body["volunteer"] == volunteer.pk:
                    continue
                status, answer = posted(client, url, body)
                assert status in (400, 404) and answer["error"], (url, body, answer)
    assert not Assignment.objects.exists() and not HelpRecord.objects.exists()
    for url in ("/api/volunteers/records/{}/confirm", "/api/volunteers/records/{}/review",
                "/api/volunteers/reviews/{}/moderate"):
        status, answer = posted(client, url.format(10**12), {"via": "staff"})
        assert status == 404 and answer["error"]
    assert not Review.objects.exists()


def test_addresses_with_a_wrong_id_answer_a_json_404(client, oblast_officer):
    """Text where an id belongs, or an id past any row: the API's JSON 404, as for a missing
    row, not a page. Signed out, one's own matches are refused in JSON too."""
    anonymous = client.get("/api/volunteers/match/me")
    assert anonymous.status_code == 403 and anonymous.json()["error"]
    client.force_login(oblast_officer)
    for wrong in ("abc", "9" * 30, "-1", "1.5"):
        answers = [client.get(f"/api/volunteers/match/request/{wrong}")]
        answers += [client.post(url.format(wrong), "{}", content_type="application/json")
                    for url in ("/api/volunteers/{}/reveal", "/api/volunteers/requests/{}/assign",
                                "/api/volunteers/requests/{}/records",
                                "/api/volunteers/records/{}/confirm",
                                "/api/volunteers/records/{}/review",
                                "/api/volunteers/reviews/{}/moderate", "/api/help/{}/reveal")]
        for response in answers:
            assert response.status_code == 404, (wrong, response.request["PATH_INFO"])
            assert response["Content-Type"] == "application/json" and response.json()["error"]
