"""The heritage demo loader: shared data through the importer, drawn photos, condition reports
in each state of handling; a second run changes nothing."""

import pytest

from gis_portal.photos.models import Photo
from layers.heritage.demo import load_demo_heritage
from layers.heritage.models import ConditionReport

pytestmark = pytest.mark.django_db


def test_demo_content_loads_once():
    report = {"created": [], "unchanged": []}
    load_demo_heritage(report)
    assert Photo.objects.filter(purpose="main").count() >= 42
    statuses = sorted(ConditionReport.objects.values_list("status", flat=True))
    assert statuses == ["in_work", "received", "resolved"]
    again = {"created": [], "unchanged": []}
    load_demo_heritage(again)
    assert "heritage: 0 drawn photos" in again["unchanged"]
    assert ConditionReport.objects.count() == 3
