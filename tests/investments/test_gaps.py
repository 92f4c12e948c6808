"""The planner's query: low-employment settlements with no investment project within N km,
ordered by unemployment, on data built for it in North Kazakhstan."""

import csv
import io

import pytest
from django.db import connection

from layers.investments import gaps
from layers.investments.models import InvestmentProject

from .conftest import NORTH_KAZAKHSTAN, employment, north_of

pytestmark = pytest.mark.django_db
Status = InvestmentProject.Status


@pytest.fixture
def planned(far_apart_settlements, make_project):
    s = far_apart_settlements
    employment(s[0], 25.0)
    make_project(s[0], point=north_of(s[0].geom, 9.5))    # within 10 km: not a gap
    employment(s[1], 20.0)
    make_project(s[1], point=north_of(s[1].geom, 10.5))   # just outside 10 km: a gap
    employment(s[2], 30.0, is_sample=True)                # nothing near: the worst gap
    employment(s[3], 5.0)                                 # below the threshold
    employment(s[4], 15.0)
    make_project(s[4], point=north_of(s[4].geom, 1), status=Status.CANCELLED)  # not counted
    employment(s[5], 40.0, year=2020)
    employment(s[5], 8.0, year=2024)                      # the latest year is what counts
    return s


def test_gaps_exclude_a_project_within_n_km_include_one_just_outside_ordered(planned):
    query = gaps.parse_gap_query({"within_km": "10", "min_rate": "10",
                                  "area": NORTH_KAZAKHSTAN})
    found = gaps.find_gaps(query)
    assert [g.kato for g in found] == [planned[2].kato, planned[1].kato, planned[4].kato]
    assert [g.unemployment_rate for g in found] == [30.0, 20.0, 15.0]
    # A wider radius reaches the project 10.5 km away, a narrower one frees the first.
    wider = gaps.find_gaps(gaps.parse_gap_query({"within_km": "11", "min_rate": "10",
                                                 "area": NORTH_KAZAKHSTAN}))
    assert planned[1].kato not in [g.kato for g in wider]
    narrower = gaps.find_gaps(gaps.parse_gap_query({"within_km": "9", "min_rate": "10",
                                                    "area": NORTH_KAZAKHSTAN}))
    assert [g.kato for g in narrower][:2] == [planned[2].kato, planned[0].kato]
    # The threshold is inclusive.
    at_threshold = gaps.find_gaps(gaps.parse_gap_query({"within_km": "10", "min_rate": "15",
                                                        "area": NORTH_KAZAKHSTAN}))
    assert planned[4].kato in [g.kato for g in at_threshold]


def test_the_project_probe_uses_the_geography_index(planned):
    query = gaps.parse_gap_query({"within_km": "10", "min_rate": "10"})
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = gaps.explain_gaps(query)
    assert "investments_project_geog" in plan, plan


def test_the_gaps_api(client, planned):
    response = client.get("/api/investments/gaps/", {"within_km": "10", "min_rate": "10",
                                                     "area": NORTH_KAZAKHSTAN})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["kato"] for f in body["features"]] == [
        planned[2].kato, planned[1].kato, planned[4].kato]
    worst = body["features"][0]["properties"]
    assert worst["unemployment_rate"] == 30.0 and worst["is_sample"] is True
    assert worst["note"] == "sample values, not official statistics"
    assert body["notice"] == "sample values, not official statistics"
    assert {"working_age_population", "employed", "unemployed", "year", "source"} <= set(worst)
    assert body["features"][1]["properties"]["note"] is None


@pytest.mark.parametrize("params, message", [
    ({"within_km": "-1"}, "within_km must be above 0"),
    ({"within_km": "abc"}, "within_km must be a number"),
    ({"within_km": "0"}, "within_km must be above 0"),
    ({"within_km": "5000"}, "at most 300"),
    ({"min_rate": "101"}, "min_rate must be between 0 and 100"),
    ({"min_rate": "nan"}, "min_rate must be a finite number"),
    ({"area": "12"}, "9-digit KATO"),
    ({"area": "999999999"}, "no area"),
    ({"radius": "5"}, "unknown parameter"),
])
def test_bad_gap_parameters_get_a_400_that_says_what_to_fix(client, params, message):
    response = client.get("/api/investments/gaps/", params)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert client.get("/api/investments/gaps.csv", params).status_code == 400
    page = client.get("/investments/gaps/", params)
    assert page.status_code == 400 and message in page.content.decode()


def test_the_gaps_page_and_its_csv(client, planned):
    params = {"within_km": "10", "min_rate": "10", "area": NORTH_KAZAKHSTAN}
    page = client.get("/investments/gaps/", params).content.decode()
    assert page.index(planned[2].kato) < page.index(planned[1].kato) < page.index(
        planned[4].kato)
    assert planned[0].kato not in page.split("data-gaps")[1]
    assert "sample values, not official statistics" in page
    assert 'id="gaps-map-config"' in page
    response = client.get("/api/investments/gaps.csv", params)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["kato"] for r in rows] == [planned[2].kato, planned[1].kato, planned[4].kato]
    assert rows[0]["is_sample"] == "yes"
    assert rows[0]["note"] == "sample values, not official statistics"
    assert "attachment" in response["Content-Disposition"]
    defaults = client.get("/investments/gaps/")
    assert defaults.status_code == 200
    assert 'value="25"' in defaults.content.decode() and 'value="10"' in defaults.content.decode()


def test_the_default_threshold_comes_from_the_settings(settings, planned):
    settings.TZ_INVESTMENT_GAP_MIN_RATE = 25
    query = gaps.parse_gap_query({"within_km": "10", "area": NORTH_KAZAKHSTAN})
    assert query.min_rate == 25
    assert [g.kato for g in gaps.find_gaps(query)] == [planned[2].kato]


def test_the_csv_never_hands_a_spreadsheet_a_formula(client, far_apart_settlements):
    row = employment(far_apart_settlements[0], 50.0)
    row.source = '=HYPERLINK("http://example.org")'
    row.save()
    response = client.get("/api/investments/gaps.csv", {"min_rate": "49",
                                                         "area": NORTH_KAZAKHSTAN})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["source"] for r in rows] == ["'=HYPERLINK(\"http://example.org\")"]
