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
