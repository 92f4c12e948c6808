"""Administrative geography API on the real boundaries: lookups of places the June 2022
reform moved between oblasts, generations, area lists and details, and input errors."""

import json

import pytest

from layers.areas.models import AdminArea, BoundaryGeneration, Settlement

pytestmark = pytest.mark.django_db

# (lon, lat), oblast KATO after the 2022 reform, oblast KATO before it.
REFORMED_PLACES = {
    "Semey": ((80.2275, 50.4111), "100000000", "630000000"),  # Abai ← East Kazakhstan
    "Taldykorgan": ((78.3739, 45.0156), "330000000", "190000000"),  # Zhetysu ← Almaty oblast
    "Zhezkazgan": ((67.7144, 47.7833), "620000000", "350000000"),  # Ulytau ← Karaganda
}


def lookup(client, lon, lat, status=200, **extra):
    response = client.get("/api/areas/lookup", {"lon": lon, "lat": lat, **extra})
    assert response.status_code == status, response.content
    return json.loads(response.content)


@pytest.mark.parametrize("place", REFORMED_PLACES)
def test_lookup_places_moved_by_the_2022_reform(client, place):
    (lon, lat), after, _ = REFORMED_PLACES[place]
    answer = lookup(client, lon, lat)
    assert answer["generation"] == "2024"
    assert answer["oblast"]["kato"] == after
    assert answer["district"] is not None
    assert answer["district"]["kato"][:2] == after[:2]
    assert answer["settlement"]["distance_km"] < 25


@pytest.mark.parametrize("place", REFORMED_PLACES)
def test_lookup_in_the_2018_generation_on_request(client, place):
    (lon, lat), _, before = REFORMED_PLACES[place]
    assert lookup(client, lon, lat, generation="2018")["oblast"]["kato"] == before


def test_switching_the_current_generation_changes_lookups_and_tags(client):
    from layers.areas.generations import activate_generation

    semey = REFORMED_PLACES["Semey"][0]
    settlement = Settlement.objects.filter(oblast__kato="100000000", geom__isnull=False).first()
    assert settlement is not None
    activate_generation("2018")
    assert BoundaryGeneration.current().code == "2018"
    assert lookup(client, *semey)["oblast"]["kato"] == "630000000"
    settlement.refresh_from_db()
    assert settlement.oblast.generation.code == "2018"
    assert settlement.oblast.kato == "630000000"
    activate_generation("2024")
    assert lookup(client, *semey)["oblast"]["kato"] == "100000000"


def test_lookup_in_a_rural_okrug_is_flagged_approximate(client):
    # Talgar district, Almaty oblast: villages all around.
    answer = lookup(client, 77.30, 43.35)
    assert answer["oblast"]["kato"] == "190000000"
    assert answer["okrug"] is not None
    assert answer["okrug"]["approximate"] is True
    assert answer["okrug"]["kato"][:4] == answer["district"]["kato"][:4]
    assert set(answer["okrug"]["name"]) == {"kk", "ru", "en"}


def test_lookup_cities_of_republican_significance(client):
    assert lookup(client, 76.9286, 43.2567)["oblast"]["kato"] == "750000000"  # Almaty
    assert lookup(client, 71.4304, 51.1282)["oblast"]["kato"] == "710000000"  # Astana
    assert lookup(client, 69.5960, 42.3417)["oblast"]["kato"] == "790000000"  # Shymkent


@pytest.mark.parametrize("lon, lat", [(74.59, 42.87), (37.62, 55.75), (60.6, 56.8)])
def test_lookup_outside_kazakhstan_is_404(client, lon, lat):
    assert "outside Kazakhstan" in lookup(client, lon, lat, status=404)["error"]


@pytest.mark.parametrize("params, message", [
    ({}, "lon"),
    ({"lon": "abc", "lat": "43"}, "number"),
    ({"lon": "76.9", "lat": "nan"}, "finite"),
    ({"lon": "200", "lat": "43"}, "between -180 and 180"),
    ({"lon": "76.9", "lat": "95"}, "between -90 and 90"),
    ({"lon": "76.9", "lat": "43.2", "generation": "1999"}, "unknown boundary generation"),
])
def test_lookup_bad_input_is_400(client, params, message):
    response = client.get("/api/areas/lookup", params)
    assert response.status_code == 400
    assert message in json.loads(response.content)["error"]


def test_area_list_levels_and_parents(client):
    oblasts = json.loads(client.get("/api/areas/", {"level": "oblast"}).content)
    assert oblasts["count"] == 20
    katos = {a["kato"] for a in oblasts["areas"]}
    assert {"100000000", "330000000", "620000000", "710000000", "750000000",
            "790000000"} <= katos
    assert all(a["has_geometry"] and "geometry" not in a for a in oblasts["areas"])
    old = json.loads(client.get("/api/areas/", {"level": "oblast", "generation": "2018"}).content)
    assert old["count"] == 17
    districts = json.loads(client.get("/api/areas/", {"parent": "750000000"}).content)
    assert districts["count"] >= 8 and all(a["parent"] == "750000000"
                                          for a in districts["areas"])
    okrugs = json.loads(client.get("/api/areas/", {"level": "okrug"}).content)
    assert okrugs["count"] > 2000
    assert all(a["approximate"] for a in okrugs["areas"])


def test_districts_without_polygons_say_so(client):
    for kato in ("615500000", "635500000", "636300000", "711610000"):
        area = json.loads(client.get(f"/api/areas/{kato}/").content)
        assert area["has_geometry"] is False
        assert area["geometry_note"]
        assert "geometry" not in area or area["geometry"] is None


def test_area_detail_has_names_chain_children_and_geometry(client):
    okrug = AdminArea.objects.filter(generation__is_current=True, level="okrug",
                                     geom__isnull=False).first()
    detail = json.loads(client.get(f"/api/areas/{okrug.kato}/").content)
    assert [a["level"] for a in detail["ancestors"]] == ["oblast", "district"]
    assert detail["approximate"] is True
    assert detail["geometry"]["type"] == "MultiPolygon"
    district = json.loads(client.get(f"/api/areas/{detail['ancestors'][1]['kato']}/").content)
    assert okrug.kato in {c["kato"] for c in district["children"]}
    full = json.loads(client.get(f"/api/areas/{okrug.kato}/", {"geometry": "full"}).content)
    coarse = json.loads(client.get(f"/api/areas/{okrug.kato}/", {"simplify": "0.05"}).content)
    assert len(json.dumps(coarse["geometry"])) <= len(json.dumps(full["geometry"]))
    none = json.loads(client.get(f"/api/areas/{okrug.kato}/", {"geometry": "none"}).content)
    assert "geometry" not in none or none["geometry"] is None


def test_area_errors(client):
    assert client.get("/api/areas/000000000/").status_code == 404
    assert client.get("/api/areas/", {"level": "village"}).status_code == 400
    assert client.get("/api/areas/", {"parent": "123"}).status_code == 400
    assert client.get("/api/areas/750000000/", {"geometry": "svg"}).status_code == 400
    assert client.get("/api/areas/750000000/", {"simplify": "5"}).status_code == 400
