"""Parks list their sights and sights name their park (ST_Covers, not hand lists); UNESCO
membership comes from the crosswalk; the layers' filters and per-area counts."""

import json

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from gis_portal.photos.actions import add_photo
from gis_portal.photos.drawing import drawn_photo
from layers.heritage.models import Monument, NaturalSite
from layers.heritage.places import parks_containing, sights_in

from .conftest import make_monument

pytestmark = pytest.mark.django_db


OSM_PARKS, SIGHTS = "kz_protected_areas_osm", "kz_notable_sites"


def shared(model, key, dataset=SIGHTS):
    return model.objects.get(source_key=f"{dataset}:{key}")


def test_a_park_lists_its_sights_and_a_sight_names_its_park(client):
    box = Polygon.from_bbox((80.0, 44.0, 80.2, 44.2))
    box.srid = 4326
    park = NaturalSite.objects.create(name_kk="П", name_ru="П", name_en="Test park",
                                      kind="national_park", geom=MultiPolygon(box, srid=4326))
    inside = make_monument((80.1, 44.1), name_en="Inside monument")
    lake = NaturalSite.objects.create(name_kk="К", name_ru="К", name_en="Inside lake",
                                      kind="lake", geom=Point(80.05, 44.05, srid=4326))
    make_monument((80.3, 44.1), name_en="Outside monument")
    listed = sights_in(park)
    assert [m.name_en for m in listed["monuments"]] == ["Inside monument"]
    assert [s.name_en for s in listed["nature"]] == ["Inside lake"]
    assert list(parks_containing(inside)) == [park]
    assert list(parks_containing(lake)) == [park]

    park_page = client.get(f"/heritage/nature/{park.pk}/").content.decode()
    assert "Inside monument" in park_page and "Inside lake" in park_page
    assert "Outside monument" not in park_page
    sight_page = client.get(f"/heritage/monuments/{inside.pk}/").content.decode()
    assert "Test park" in sight_page and "data-parks" in sight_page


def test_the_shared_parks_hold_the_shared_sights():
    charyn = shared(NaturalSite, "charyn", OSM_PARKS)
    assert charyn.kind == "national_park" and charyn.is_outline
    assert "Charyn Canyon (Valley of Castles)" in [s.name_en for s in sights_in(charyn)["nature"]]
    kolsai = shared(NaturalSite, "kolsai-lakes")
    assert "kolsai" in [p.protected_area_key for p in parks_containing(kolsai)]


def test_unesco_membership_comes_from_the_crosswalk():
    assert shared(NaturalSite, "korgalzhyn", OSM_PARKS).unesco_whc_id == 1102
    assert shared(NaturalSite, "naurzum", OSM_PARKS).unesco_whc_id == 1102
    assert shared(NaturalSite, "aksu_zhabagly", OSM_PARKS).unesco_whc_id == 1490
    assert shared(NaturalSite, "altyn_emel", OSM_PARKS).unesco_whc_id == 1693
    assert shared(NaturalSite, "kolsai", OSM_PARKS).unesco_whc_id is None
    assert shared(Monument, "yasawi-mausoleum").unesco_whc_id == 1103
    assert shared(Monument, "tamgaly-petroglyphs").unesco_whc_id == 1145
    # A sight inside a protected area of a property belongs to it too.
    assert shared(NaturalSite, "singing-dune").unesco_whc_id == 1693


def test_the_outlines_carry_their_licence_on_the_map_and_the_page(client):
    park = shared(NaturalSite, "ile_alatau", OSM_PARKS)
    feature = json.loads(client.get("/api/layers/nature/", {"bbox": "76.9,43.0,77.2,43.2",
                                                            "category": "national_park"}
                                    ).content)["features"]
    ile = next(f for f in feature if f["id"] == park.pk)
    assert ile["properties"]["licence"] == "ODbL 1.0"
    assert ile["properties"]["approximate"] is True
    catalogue = json.loads(client.get("/api/layers/").content)["layers"]
    nature = next(entry for entry in catalogue if entry["slug"] == "nature")
    assert "ODbL" in nature["description"]
    page = client.get(f"/heritage/nature/{park.pk}/").content.decode()
    assert "ODbL 1.0" in page and "OpenStreetMap contributors" in page
    assert "not a legal boundary" in page


def ids(client, **params):
    collection = json.loads(client.get("/api/layers/monuments/",
                                       {"limit": 500, **params}).content)
    return {f["id"] for f in collection["features"]}


def test_filters_and_per_area_counts(client, culture_officer):
    old = make_monument(name_en="Old", kind="archaeology", significance="republican",
                        era="ancient")
    new = make_monument(name_en="New", kind="memorial", era="soviet")
    add_photo(user=culture_officer, target=new, upload=drawn_photo("New", 1), purpose="main")
    assert old.pk in ids(client, category="archaeology") and new.pk not in ids(
        client, category="archaeology")
    assert old.pk in ids(client, significance="republican", era="ancient")
    assert new.pk not in ids(client, significance="republican")
    with_photos = ids(client, with_photos="true")
    assert new.pk in with_photos and old.pk not in with_photos
    near = ids(client, near="76.945,43.238", within="1")
    assert {old.pk, new.pk} <= near
    assert shared(Monument, "yasawi-mausoleum").pk not in near
    assert {old.pk, new.pk} <= ids(client, area="750000000")
    feature = json.loads(client.get("/api/layers/monuments/", {"near": "76.945,43.238",
                                                               "within": "1"}).content)
    assert next(f for f in feature["features"] if f["id"] == new.pk)["properties"]["photos"] == 1

    stats = json.loads(client.get("/api/layers/monuments/stats", {"level": "oblast"}).content)
    counts = {row["kato"]: row["count"] for row in stats["areas"]}
    assert counts["750000000"] == Monument.objects.filter(oblast__kato="750000000").count()
    assert counts["710000000"] >= 4  # Astana's sights
