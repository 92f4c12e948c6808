"""The demo loader: projects in several oblasts at every stage, pledges through the funding
actions, drawn photos, clearly labelled; a second run adds nothing."""

import pytest

from gis_portal.funding.actions import fundraiser_for
from gis_portal.photos.actions import photos_of
from layers.projects.demo import load_demo_projects
from layers.projects.models import SocialProject

pytestmark = pytest.mark.django_db


def test_demo_projects_at_every_stage():
    report = {"created": [], "unchanged": []}
    load_demo_projects(report)
    demo = SocialProject.objects.filter(reference__startswith="demo-")
    assert {p.status for p in demo} >= {"draft", "published", "funded", "in_progress",
                                        "completed", "archived"}
    assert len({p.oblast_id for p in demo}) >= 6
    assert all(p.title_en.startswith("[Demo]") for p in demo)
    assert any(p.report_overdue for p in demo)
    raising = demo.filter(status="published").first()
    assert fundraiser_for(raising).pledged_total > 0 and raising.confirmed > 0
    completed = demo.get(status="completed")
    assert photos_of(completed, purpose="report").exists()
    assert all(line.spent is not None for line in completed.estimate_lines.all())
    before = demo.count()
    again = {"created": [], "unchanged": []}
    load_demo_projects(again)
    assert again["unchanged"] and not again["created"] and demo.count() == before
