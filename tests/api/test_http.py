"""The API through a real HTTP client against the portal running under gunicorn."""

import re

import pytest
import requests

pytestmark = pytest.mark.django_db


def test_lookup_over_http(portal_server):
    response = requests.get(f"{portal_server}/api/areas/lookup",
                            params={"lon": 80.2275, "lat": 50.4111}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["oblast"]["kato"] == "100000000"


@pytest.mark.parametrize("path, params, status", [
    ("/api/areas/lookup", {"lon": "x", "lat": "1"}, 400),
    ("/api/areas/lookup", {"lon": 74.59, "lat": 42.87}, 404),
    ("/api/layers/settlements/", {"bbox": "1,2"}, 400),
    ("/api/layers/nope/", {}, 404),
    ("/api/areas/999999999/", {}, 404),
])
def test_errors_over_http_are_json_with_a_message(portal_server, path, params, status):
    response = requests.get(f"{portal_server}{path}", params=params, timeout=10)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    assert len(response.json()["error"]) > 10


def test_tiles_and_tilejson_over_http(portal_server):
    tile = requests.get(f"{portal_server}/tiles/settlements/10/730/375.mvt", timeout=10)
    assert tile.status_code == 200 and len(tile.content) > 100
    tilejson = requests.get(f"{portal_server}/tiles/areas.json", timeout=10).json()
    assert tilejson["tiles"][0].startswith(portal_server)


def test_geojson_paging_over_http(portal_server):
    url = f"{portal_server}/api/layers/settlements/?limit=100&area=190000000"
    ids = []
    while url:
        page = requests.get(url, timeout=10).json()
        ids += [f["id"] for f in page["features"]]
        url = page.get("next")
    assert len(ids) == len(set(ids)) > 300


def test_openapi_schema_and_docs_page(portal_server):
    schema = requests.get(f"{portal_server}/api/schema/", params={"format": "json"},
                          timeout=20).json()
    paths = schema["paths"]
    for path in ("/api/areas/lookup", "/api/areas/", "/api/areas/{kato}/", "/api/layers/",
                 "/api/layers/{slug}/", "/api/layers/{slug}/stats",
                 "/tiles/{slug}/{z}/{x}/{y}.mvt", "/tiles/{slug}.json"):
        assert path in paths, path
    docs = requests.get(f"{portal_server}/api/docs/", timeout=10)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # The docs page runs offline: every script and stylesheet is served by the portal.
    for url in re.findall(r'(?:src|href)="([^"]+)"', docs.text):
        assert not url.startswith(("http://", "https://", "//")) or url.startswith(
            portal_server), url


def test_admin_login_page(portal_server):
    assert requests.get(f"{portal_server}/admin/login/", timeout=10).status_code == 200


def test_kazakh_first_whatever_the_browser_asks(portal_server):
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    page = requests.get(f"{portal_server}/", headers=english_browser, timeout=10)
    assert '<html lang="kk">' in page.text
    catalogue = requests.get(f"{portal_server}/api/layers/", headers=english_browser,
                             timeout=10).json()
    russian = requests.get(f"{portal_server}/api/layers/", params={"lang": "ru"},
                           timeout=10).json()
    chosen = requests.get(f"{portal_server}/api/layers/", cookies={"django_language": "en"},
                          timeout=10).json()
    titles = [c["layers"][0]["title"] for c in (catalogue, russian, chosen)]
    assert len(set(titles)) == 3


@pytest.mark.parametrize("typed, kato", [
    ("Almaty", "750000000"), ("Astana", "710000000"), ("Shymkent", "790000000"),
    ("Алматы", "750000000"), ("Ust-Kamenogorsk", None), ("Qaraghandy", None),
    ("Karaganda", None),
])
def test_a_tourist_finds_a_city_by_the_name_they_know(portal_server, typed, kato):
    """q matches the names as written and, in Latin letters, their romanisations: the city is
    among the answers, the largest first when ordered by population."""
    answer = requests.get(f"{portal_server}/api/layers/settlements/",
                          params={"q": typed, "ordering": "-population", "limit": 5},
                          timeout=10).json()
    first = answer["features"][0]["properties"]
    assert first["kind"] == "г." and first["population"] > 100_000, answer["features"]
    if kato:
        assert first["kato"] == kato


@pytest.mark.parametrize("typed, kato, current", [
    ("Nur-Sultan", "710000000", "Astana"), ("Целиноград", "710000000", "Astana"),
    ("Alma-Ata", "750000000", "Almaty"), ("Semipalatinsk", "101010000", "Semey"),
    ("Guryev", "231010000", "Atyrau"), ("Kapchagay", "191010000", "Konaev"),
    ("Baikonur", "431910000", "Baykonyr"),
])
def test_a_native_finds_a_town_by_the_name_it_had_when_they_left(portal_server, typed, kato,
                                                                  current):
    """Former names (and their usual Latin spellings) find the renamed town, whose feature
    says what it was called."""
    answer = requests.get(f"{portal_server}/api/layers/settlements/",
                          params={"q": typed, "ordering": "-population", "limit": 3,
                                  "lang": "en"}, timeout=10).json()
    first = answer["features"][0]["properties"]
    assert (first["kato"], first["name"]) == (kato, current), answer["features"]
    assert first["former_names"]

