"""Sights come from the heritage layers (SIGHTS_SQL): created here through their models, they
appear in a trip's corridor and along an eco-route, and unpublished ones never do."""

import pytest
from django.contrib.gis.geos import Point

from layers.heritage.models import Monument, NaturalSite
from layers.routes.planner import Interests, TripRequest, plan_trip
from layers.routes.views import route_sights

from .test_eco_routes import TRACK, almaty_oblast_staff, route  # noqa: F401
from .test_planner import graph  # noqa: F401

pytestmark = pytest.mark.django_db


def monument(lon, lat, name, **fields):
    return Monument.objects.create(
        name_kk=name, name_ru=name, name_en=name, kind=fields.pop("kind", "architecture"),
        significance=fields.pop("significance", "republican"), geom=Point(lon, lat, srid=4326),
        position_approximate=False, **fields)


def test_trip_sights_come_from_the_heritage_layers(graph):  # noqa: F811
    mausoleum = monument(61.0, 48.04, "Steppe mausoleum", significance="unesco")
    hidden = monument(62.0, 48.02, "Unpublished mausoleum", is_published=False)
    far = monument(62.0, 48.9, "Far mausoleum")
    lake = NaturalSite.objects.create(
        name_kk="Steppe lake", name_ru="Steppe lake", name_en="Steppe lake", kind="lake",
        significance="local", geom=Point(62.9, 47.95, srid=4326), position_approximate=True)
    trip = plan_trip(TripRequest(start="a", end="d", network=graph, km_per_day=160))
    found = {(s["layer"], s["id"]) for s in trip.sights}
    assert ("monuments", mausoleum.pk) in found and ("nature", lake.pk) in found
    assert ("monuments", hidden.pk) not in found and ("monuments", far.pk) not in found
    # UNESCO ranks first; the lake's approximate position is said.
    assert trip.sights[0]["id"] == mausoleum.pk and trip.sights[0]["unesco"]
    assert next(s for s in trip.sights if s["id"] == lake.pk)["approximate"]
    nature = plan_trip(TripRequest(start="a", end="d", network=graph,
                                   interests=Interests(nature_only=True)))
    assert {s["layer"] for s in nature.sights} == {"nature"}


def test_sights_along_an_eco_route(client, route):  # noqa: F811
    lon, lat = TRACK[60]
    near = monument(lon, lat + 0.02, "Near the pass")  # about 2 km from the track
    far = monument(lon, lat + 0.2, "Beyond the ridge")  # about 22 km
    ids = {s["id"] for s in route_sights(route) if s["layer"] == "monuments"}
    assert near.pk in ids and far.pk not in ids
    response = client.get(f"/api/routes/{route.pk}/sights", {"buffer_km": 30})
    ids = {s["id"] for s in response.json()["sights"] if s["layer"] == "monuments"}
    assert {near.pk, far.pk} <= ids
    page = client.get(f"/routes/{route.pk}/")
    assert "Near the pass" in page.content.decode()


def projected(lon, lat, metres, azimuth_degrees):
    """The point `metres` from (lon, lat) along the azimuth, on the ellipsoid."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Project(ST_MakePoint(%s, %s)"
                       "::geography, %s, radians(%s))::geometry AS p) projected",
                       [lon, lat, metres, azimuth_degrees])
        return cursor.fetchone()


def test_the_corridor_edge_is_exact_and_unpublished_sights_never_come(graph):  # noqa: F811
    # The route a–b–c–d runs along the 48th parallel from 60° to 63° E. Around a 30 km corridor,
    # 20 m inside and 20 m outside: due north of c (a degree of latitude) and due east of the
    # end d (a degree of longitude, the shorter one), in both heritage tables.
    inside_north = monument(*projected(62.0, 48.0, 29_980, 0), "Inside north",
                            significance="unesco")
    outside_north = monument(*projected(62.0, 48.0, 30_020, 0), "Outside north",
                             significance="unesco")

    def site(point, name):
        return NaturalSite.objects.create(
            name_kk=name, name_ru=name, name_en=name, kind="lake", significance="unesco",
            geom=Point(*point, srid=4326), position_approximate=False)

    inside_east = site(projected(63.0, 48.0, 29_980, 90), "Inside east")
    outside_east = site(projected(63.0, 48.0, 30_020, 90), "Outside east")
    hidden = monument(61.5, 48.001, "Unpublished, on the road", significance="unesco",
                      is_published=False)

    def picked(corridor_km):
        trip = plan_trip(TripRequest(start="a", end="d", network=graph,
                                     corridor_km=corridor_km))
        return {(s["layer"], s["id"]): s for s in trip.sights}

    sights = picked(30)
    assert ("monuments", inside_north.pk) in sights and ("nature", inside_east.pk) in sights
    assert ("monuments", outside_north.pk) not in sights
    assert ("nature", outside_east.pk) not in sights
    assert sights[("monuments", inside_north.pk)]["off_route_km"] == pytest.approx(30, abs=0.05)
    assert sights[("nature", inside_east.pk)]["off_route_km"] == pytest.approx(30, abs=0.05)
    # 40 m further out, the two outside ones come: the corridor alone kept them out.
    wider = picked(30.04)
    assert ("monuments", outside_north.pk) in wider and ("nature", outside_east.pk) in wider
    # The unpublished monument lies on the road: no corridor ever brings it.
    for corridor_km in (1, 30, 100):
        assert ("monuments", hidden.pk) not in picked(corridor_km)
