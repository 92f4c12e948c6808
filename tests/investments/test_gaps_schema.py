"""The investment projects API in the OpenAPI schema: the planner's gaps (GeoJSON and CSV),
the project list, an investor's interest and the staff's list, each with its parameters and
errors; a real gaps answer has the documented shape, and an unknown project is a JSON 404."""

import json

import jsonschema
import pytest

from tests.questions.test_schema import json_schema

from .conftest import NORTH_KAZAKHSTAN, employment

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def parameters(operation) -> list[str]:
    return [p["name"] for p in operation["parameters"]]


def test_the_investment_api_is_documented_with_its_parameters(schema):
    paths = schema["paths"]
    for path in ("/api/investments/gaps/", "/api/investments/gaps.csv"):
        operation = paths[path]["get"]
        assert parameters(operation) == ["within_km", "min_rate", "area", "lang"]
        assert {"200", "400"} <= set(operation["responses"])
        assert all(len(p.get("description", "")) > 10 for p in operation["parameters"])
    assert "application/geo+json" in paths["/api/investments/gaps/"]["get"]["responses"][
        "200"]["content"]
    assert "text/csv" in paths["/api/investments/gaps.csv"]["get"]["responses"]["200"][
        "content"]
    projects = paths["/api/investments/projects/"]["get"]
    assert parameters(projects) == ["sector", "status", "area", "home_first", "lang"]
    interest = paths["/api/investments/{pk}/interest"]["post"]
    assert {"201", "400", "403", "404", "409"} <= set(interest["responses"])
    assert interest["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "message"]
    assert {"200", "403", "404"} <= set(paths["/api/investments/{pk}/interests"]["get"][
        "responses"])


def test_a_real_gaps_answer_and_error_have_the_documented_shape(client, schema,
                                                                far_apart_settlements):
    employment(far_apart_settlements[0], 28.0, is_sample=True)
    employment(far_apart_settlements[1], 12.0)
    responses = schema["paths"]["/api/investments/gaps/"]["get"]["responses"]
    answer = client.get("/api/investments/gaps/", {"area": NORTH_KAZAKHSTAN,
                                                   "within_km": "10", "lang": "en"})
    assert answer.status_code == 200
    body = json.loads(answer.content)
    assert len(body["features"]) == 2
    jsonschema.validate(body, json_schema(
        responses["200"]["content"]["application/geo+json"]["schema"]))
    bad = client.get("/api/investments/gaps/", {"within_km": "0"})
    assert bad.status_code == 400
    jsonschema.validate(bad.json(), json_schema(
        responses["400"]["content"]["application/json"]["schema"]))


@pytest.mark.parametrize("pk", ["999999999", "-5", "true", "1e3", "9" * 30])
def test_an_unknown_project_is_a_json_404_in_the_api(client, pk):
    for response in (client.get(f"/api/investments/{pk}/interests"),
                     client.post(f"/api/investments/{pk}/interest",
                                 json.dumps({"message": "hello"}),
                                 content_type="application/json")):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert pk in response.json()["error"]
