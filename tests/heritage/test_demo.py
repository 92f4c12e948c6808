"""The heritage demo loader: shared data through the importer, drawn photos, condition reports
in each state of handling; a second run changes nothing."""

import pytest

from gis_portal.photos.actions import photos_of
from layers.heritage.demo import load_demo_heritage
from layers.heritage.models import ConditionReport, Monument, NaturalSite

pytestmark = pytest.mark.django_db


def test_demo_content_loads_once():
    report = {"created": [], "unchanged": []}
    load_demo_heritage(report)
    sights = [*Monument.objects.filter(source_key__startswith="kz_notable_sites:"),
              *NaturalSite.objects.filter(source_key__startswith="kz_notable_sites:")]
    assert len(sights) >= 37
    assert all(photos_of(sight, purpose="main").exists() for sight in sights)
    statuses = sorted(ConditionReport.objects.values_list("status", flat=True))
    assert statuses == ["in_work", "received", "resolved"]
    again = {"created": [], "unchanged": []}
    load_demo_heritage(again)
    assert "heritage: 0 drawn photos" in again["unchanged"]
    assert ConditionReport.objects.count() == 3
