"""Demo content: sample eco-routes in several oblasts, marked as samples, and the road graph;
loading again changes nothing."""

import gpxpy
import pytest

from layers.routes.demo import SAMPLE_ROUTES, load_demo_routes
from layers.routes.models import EcoRoute

pytestmark = pytest.mark.django_db


def test_demo_routes_are_samples_in_several_oblasts_and_load_once(client):
    report = {"created": [], "unchanged": []}
    load_demo_routes(report)
    names = [spec["name_en"] for spec in SAMPLE_ROUTES]
    routes = EcoRoute.objects.filter(name_en__in=names)
    assert routes.count() == len(SAMPLE_ROUTES)
    assert all(r.is_sample for r in routes)
    assert len({r.oblast_id for r in routes}) >= 5
    assert {r.kind for r in routes} == set(EcoRoute.Kind.values)
    again = {"created": [], "unchanged": []}
    load_demo_routes(again)
    assert again["created"] == [] and EcoRoute.objects.filter(name_en__in=names).count() == len(
        SAMPLE_ROUTES)
    route = routes.first()
    page = client.get(f"/routes/{route.pk}/").content.decode()
    assert "sample route" in page
    gpx = gpxpy.parse(client.get(f"/routes/{route.pk}/route.gpx").content.decode())
    assert gpx.description.startswith("Sample route")
