"""The corps' JSON API answers as its OpenAPI schema says, on a whole journey: a resident
signs up and finds requests near them, staff enter a paper questionnaire, match, assign,
record, confirm, review and moderate. (The schema fuzzer sends only anonymous requests, so
the answers of signed-in users are checked here.)"""

import json

import jsonschema
import pytest
from django.utils import timezone

from tests.help.conftest import make

from .test_questionnaire import api_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def answer_of(schema, path, method, response):
    """The response's JSON, checked against the schema of its documented status."""
    documented = schema["paths"][path][method]["responses"][str(response.status_code)]
    body = response.json()
    # The components the paths refer to, for $ref.
    jsonschema.validate(body, {**documented["content"]["application/json"]["schema"],
                               "components": schema.get("components", {})})
    return body


def test_the_corps_api_answers_as_documented(client, schema, resident, oblast_officer,
                                             places):
    def post(user, path, url, data):
        client.force_login(user)
        response = client.post(url, json.dumps(data), content_type="application/json")
        assert response.status_code == 200, response.content
        return answer_of(schema, path, "post", response)

    def get(user, path, url):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, response.content
        return answer_of(schema, path, "get", response)

    request = make(oblast_officer, 1, places["a1"], kind="firewood", topic="labour",
                   amount_needed=None)
    mine = post(resident, "/api/volunteers/me", "/api/volunteers/me",
                api_form(places["a1"], directions=["physical"], days=list(range(7)),
                         hours=list(range(8, 20))))
    near = get(resident, "/api/volunteers/match/me", "/api/volunteers/match/me")
    assert request.pk in [row["request"] for row in near["requests"]]
    paper = post(oblast_officer, "/api/volunteers/paper", "/api/volunteers/paper",
                 api_form(places["a1"], full_name="Paper Person", phone="+7 702 000 11 22"))
    assert paper["created"] is True
    matched = get(oblast_officer, "/api/volunteers/match/request/{pk}",
                  f"/api/volunteers/match/request/{request.pk}")
    assert mine["id"] in [row["volunteer"] for row in matched["volunteers"]]
    post(oblast_officer, "/api/volunteers/requests/{pk}/assign",
         f"/api/volunteers/requests/{request.pk}/assign", {"volunteer": mine["id"]})
    record = post(oblast_officer, "/api/volunteers/requests/{pk}/records",
                  f"/api/volunteers/requests/{request.pk}/records",
                  {"volunteer": mine["id"], "helped_on": str(timezone.localdate())})
    post(oblast_officer, "/api/volunteers/records/{pk}/confirm",
         f"/api/volunteers/records/{record['record']}/confirm", {"via": "staff"})
    review = post(oblast_officer, "/api/volunteers/records/{pk}/review",
                  f"/api/volunteers/records/{record['record']}/review",
                  {"positive": True, "text": "Came on time and chopped the firewood."})
    moderated = post(oblast_officer, "/api/volunteers/reviews/{pk}/moderate",
                     f"/api/volunteers/reviews/{review['review']}/moderate", {"approve": True})
    assert moderated["moderation"] != review["moderation"]
