"""The spatial questions in the OpenAPI schema (/api/schema/, the docs at /api/docs/): every
kind the catalogue offers is an operation with exactly the parameters it takes, its answer's
shape in each format and its 400; saving and re-running a saved question too. Real answers
are checked against the documented shape."""

import json

import jsonschema
import pytest

from layers.areas.models import Settlement
from tests.investments.conftest import NORTH_KAZAKHSTAN, employment

pytestmark = pytest.mark.django_db

ANSWER_TYPES = {"application/geo+json", "text/csv", "application/geopackage+sqlite3"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def json_schema(openapi: dict) -> dict:
    """An OpenAPI 3.0 schema object as JSON Schema (nullable becomes a null type)."""
    if isinstance(openapi, list):
        return [json_schema(item) for item in openapi]
    if not isinstance(openapi, dict):
        return openapi
    converted = {key: json_schema(value) for key, value in openapi.items()
                 if key not in ("nullable", "example", "format")}
    if openapi.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_every_question_is_an_operation_with_the_parameters_it_takes(client, schema):
    catalogue = client.get("/api/questions/").json()["questions"]
    assert {q["kind"] for q in catalogue} == {
        "within", "area", "help-gaps", "investment-gaps", "sights-near-route"}
    for question in catalogue:
        path = schema["paths"][question["url"]]
        get, post = path["get"], path["post"]
        documented = [p["name"] for p in get["parameters"]]
        assert documented == [*question["parameters"], "format", "lang"], question["kind"]
        for parameter in get["parameters"]:
            assert parameter["in"] == "query" and parameter["schema"], parameter
            assert len(parameter["description"]) > 10, parameter
        assert set(get["responses"]["200"]["content"]) == ANSWER_TYPES
        error = get["responses"]["400"]["content"]["application/json"]["schema"]
        assert "error" in error["required"]
        body = post["requestBody"]["content"]["application/json"]["schema"]
        assert set(body["properties"]) == {*question["parameters"], "format", "lang"}
        assert post["responses"] == get["responses"]
    area = schema["paths"]["/api/questions/area/"]["get"]["parameters"][0]
    assert area["name"] == "area" and area["required"] is True
    assert area["schema"]["pattern"] == "^[0-9]{9}$"


def test_a_documented_parameter_is_one_the_question_accepts(client, schema):
    """The 400 for an unknown parameter lists what the question takes: the same names."""
    for kind in ("within", "area", "help-gaps", "investment-gaps", "sights-near-route"):
        response = client.get(f"/api/questions/{kind}/", {"nonsense": "1"})
        assert response.status_code == 400
        message = response.json()["error"]
        documented = [p["name"] for p in schema["paths"][f"/api/questions/{kind}/"]["get"][
            "parameters"] if p["name"] not in ("format", "lang")]
        assert message.endswith(", ".join(sorted(documented))), (kind, message)


def test_the_catalogue_and_saved_questions_are_documented(schema):
    paths = schema["paths"]
    assert set(paths["/api/questions/"]) == {"get"}
    save = paths["/api/questions/saved/"]["post"]
    assert {"201", "400", "403"} <= set(save["responses"])
    request = save["requestBody"]["content"]["application/json"]["schema"]
    assert request["required"] == ["kind", "parameters"]
    saved = paths["/api/questions/saved/{short_id}/"]["get"]
    assert [p["name"] for p in saved["parameters"]] == ["short_id", "format", "lang"]
    assert {"200", "400", "404"} <= set(saved["responses"])


def test_real_answers_have_the_documented_shape(client, schema):
    # North Kazakhstan holds no investment project of the contract data.
    settlement = Settlement.objects.filter(oblast__kato=NORTH_KAZAKHSTAN,
                                           oblast__generation__is_current=True,
                                           geom__isnull=False).order_by("kato").first()
    employment(settlement, 31.0, is_sample=True)
    answer = client.get("/api/questions/investment-gaps/", {
        "area": NORTH_KAZAKHSTAN, "min_rate": "30", "lang": "en"})
    assert answer.status_code == 200
    documented = schema["paths"]["/api/questions/investment-gaps/"]["get"]["responses"]
    body = answer.json()
    assert [f["properties"]["kato"] for f in body["features"]] == [settlement.kato]
    jsonschema.validate(body, json_schema(
        documented["200"]["content"]["application/geo+json"]["schema"]))
    bad = client.get("/api/questions/investment-gaps/", {"min_rate": "x"})
    assert bad.status_code == 400
    jsonschema.validate(bad.json(), json_schema(
        documented["400"]["content"]["application/json"]["schema"]))

    saved = client.post("/api/questions/saved/", json.dumps({
        "kind": "investment-gaps", "parameters": {"area": NORTH_KAZAKHSTAN, "min_rate": 30}}),
        content_type="application/json")
    assert saved.status_code == 201
    paths = schema["paths"]
    jsonschema.validate(saved.json(), json_schema(
        paths["/api/questions/saved/"]["post"]["responses"]["201"]["content"][
            "application/json"]["schema"]))
    rerun = client.get(saved.json()["api"])
    jsonschema.validate(rerun.json(), json_schema(
        paths["/api/questions/saved/{short_id}/"]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"]))
    catalogue = client.get("/api/questions/").json()
    jsonschema.validate(catalogue, json_schema(
        paths["/api/questions/"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"]))


@pytest.mark.parametrize("short_id", ["nosuchid", "%F0%9C%83%BF%C2%BC", "x" * 40])
def test_an_unknown_saved_question_is_a_json_404(client, short_id):
    response = client.get(f"/api/questions/saved/{short_id}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
