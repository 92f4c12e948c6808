"""Social project pages over HTTP: the public page (Open Graph, estimate, progress, pledge
form), what drafts and hidden projects show to whom, the staff's forms and workflow buttons,
the beneficiary's privacy on every public surface, and the layer's filters and stats."""

import json
from decimal import Decimal

import pytest

from gis_portal.funding import actions as funding
from layers.projects import actions
from layers.projects.models import SocialProject
from tests.support.clients import english_client

from .conftest import PRICE

pytestmark = pytest.mark.django_db
Status = SocialProject.Status
SECRET = "Zhanargul Secretova"


def signed_in(user):
    client = english_client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_public_page_has_open_graph_estimate_progress_and_pledge_form(make_project, resident):
    project = make_project(publish=True)
    page = english_client().get(f"/projects/{project.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'property="og:title"' in text and f"/projects/{project.pk}/" in text
    assert "Roofing sheet" in text and "data-funding-progress" in text
    assert "Sign in to pledge" in text
    page = signed_in(resident).get(f"/projects/{project.pk}/")
    assert "data-funding-form" in page.content.decode()


def test_pledge_through_the_page_form_changes_the_progress(make_project, resident):
    project = make_project(publish=True)
    fundraiser = funding.fundraiser_for(project)
    client = signed_in(resident)
    response = client.post(f"/funding/{fundraiser.pk}/pledge/",
                           {"amount_choice": "amount", "amount": "250000",
                            "next": f"/projects/{project.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    project.refresh_from_db()
    assert project.pledged == Decimal("250000.00")


def test_drafts_only_for_staff_of_the_area(make_project, officer, stranger_staff, resident):
    project = make_project()
    assert english_client().get(f"/projects/{project.pk}/").status_code == 404
    assert signed_in(resident).get(f"/projects/{project.pk}/").status_code == 404
    assert signed_in(stranger_staff).get(f"/projects/{project.pk}/").status_code == 404
    page = signed_in(officer).get(f"/projects/{project.pk}/")
    assert page.status_code == 200 and "Publish" in page.content.decode()
    layer = json.loads(english_client().get(f"/api/layers/projects/{project.pk}/").content)
    assert "no feature" in layer["error"]


def test_staff_create_publish_and_refusals_through_the_pages(officer, settlement,
                                                             stranger_staff):
    client = signed_in(officer)
    form = {"kind": "provision", "title_kk": "Компьютерлер", "title_ru": "Компьютеры",
            "organisation": "Мектеп", "settlement_kato": settlement.kato, "line_count": "3",
            "line-1-name": "Laptop", "line-1-quantity": "5", "line-1-unit": "pcs",
            "line-1-unit_price": "-250000"}
    refused = client.post("/projects/new/", form)
    assert refused.status_code == 400
    assert "Estimate line 1 (Laptop): the unit price must be more than zero" in \
        refused.content.decode()
    assert not SocialProject.objects.filter(title_kk="Компьютерлер").exists()
    form["line-1-unit_price"] = "250000"
    created = client.post("/projects/new/", form)
    project = SocialProject.objects.get(title_kk="Компьютерлер")
    assert created.status_code == 302 and project.price == Decimal("1250000.00")
    assert signed_in(stranger_staff).post(f"/projects/{project.pk}/publish").status_code == 404
    assert client.post(f"/projects/{project.pk}/publish").status_code == 302
    project.refresh_from_db()
    assert project.status == Status.PUBLISHED
    again = client.post(f"/projects/{project.pk}/publish")
    assert again.status_code == 409 and "cannot be published now" in again.content.decode()
    edit = client.get(f"/projects/{project.pk}/edit/")
    assert edit.status_code == 200 and "Laptop" in edit.content.decode()
    assert signed_in(stranger_staff).get("/projects/new/").status_code == 200  # own areas
    assert english_client().get("/projects/new/").status_code == 302  # sign in first


def test_residents_cannot_reach_staff_pages(resident, make_project):
    project = make_project()
    client = signed_in(resident)
    assert client.get("/projects/new/").status_code == 403
    assert client.get("/projects/staff/").status_code == 403
    assert client.get("/projects/import/").status_code == 403
    assert client.post(f"/projects/{project.pk}/publish").status_code == 404


def test_moderator_hides_with_a_reason_on_the_page(make_project, moderator):
    project = make_project(publish=True)
    client = signed_in(moderator)
    refused = client.post(f"/projects/{project.pk}/moderate", {"decision": "hide"})
    assert refused.status_code == 400
    done = client.post(f"/projects/{project.pk}/moderate",
                       {"decision": "hide", "reason": "Misleading"})
    assert done.status_code == 302
    assert english_client().get(f"/projects/{project.pk}/").status_code == 404


def test_the_beneficiary_never_reaches_a_public_surface(make_project, officer, ngo,
                                                        moderator, stranger_staff):
    from django.contrib.admin.sites import site

    project = make_project(kind="targeted_aid", beneficiary_name=SECRET,
                           beneficiary_details="Student, 2nd year", publish=True)
    public = english_client()
    surfaces = [
        public.get(f"/projects/{project.pk}/"),
        public.get(f"/api/layers/projects/{project.pk}/"),
        public.get("/api/layers/projects/", {"limit": 5000}),
        public.get("/api/layers/projects/stats", {"level": "okrug"}),
        public.get(f"/api/funding/{funding.fundraiser_for(project).pk}/"),
        signed_in(moderator).get(f"/projects/{project.pk}/"),
        signed_in(stranger_staff).get(f"/projects/{project.pk}/"),
    ]
    for fmt in ("csv", "geojson"):
        response = public.get(f"/api/layers/projects/export.{fmt}")
        surfaces.append(type("R", (), {"content": b"".join(response.streaming_content)}))
    tile_x, tile_y = _tile_of(project.geom, 12)
    surfaces.append(public.get(f"/tiles/projects/12/{tile_x}/{tile_y}.mvt"))
    for response in surfaces:
        assert SECRET.encode() not in response.content
        assert b"Secretova" not in response.content
    admin_list = site._registry[SocialProject].get_list_display(None)
    assert not {"beneficiary_name", "beneficiary_details"} & set(admin_list)
    for staff in (officer, ngo):
        assert SECRET in signed_in(staff).get(f"/projects/{project.pk}/").content.decode()


def _tile_of(point, zoom):
    import math

    n = 2 ** zoom
    x = int((point.x + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(point.y))) / math.pi) / 2 * n)
    return x, y


def test_layer_filters_ordering_and_stats(make_project, officer, resident, areas):
    cheap = make_project(publish=True, lines=[actions.LineInput("Trees", "100", "pcs", "500")])
    dear = make_project(publish=True)
    funding.confirm_pledge(user=officer, pledge=funding.pledge(
        user=resident, fundraiser=funding.fundraiser_for(dear), amount=Decimal("250000")))
    make_project()  # a draft: never counted
    client = english_client()

    def ids(**params):
        body = json.loads(client.get("/api/layers/projects/",
                                     {"area": areas.okrug.kato, **params}).content)
        return [f["id"] for f in body["features"]]

    assert set(ids()) == {cheap.pk, dear.pk}
    assert ids(min_percent_funded="20", max_percent_funded="30") == [dear.pk]
    assert ids(max_price="100000") == [cheap.pk]
    assert ids(min_remaining="700000") == [dear.pk]
    assert ids(min_remaining="800000") == []
    assert ids(kind="infrastructure", ordering="-price") == [dear.pk, cheap.pk]
    feature = json.loads(client.get(f"/api/layers/projects/{dear.pk}/").content)
    props = feature["properties"]
    assert props["price"] == 1000000.0 and props["confirmed"] == 250000.0
    assert props["remaining"] == 750000.0 and props["percent_funded"] == 25.0
    assert props["url"] == f"/projects/{dear.pk}/" and props["report_overdue"] is False
    bad = json.loads(client.get("/api/layers/projects/", {"min_price": "lots"}).content)
    assert "min_price" in bad["error"]
    stats = json.loads(client.get("/api/layers/projects/stats",
                                  {"level": "okrug", "area": areas.okrug.kato}).content)
    row = next(r for r in stats["areas"] if r["kato"] == areas.okrug.kato)
    assert row["count"] == 2 and row["price"] == 1050000.0
    assert row["percent_funded"] == round(100 * 250000 / 1050000, 1)
    assert stats["measures"] == ["count", "price", "percent_funded"]


def test_overdue_flag_in_the_api_and_on_the_page(make_project, officer, resident):
    from datetime import timedelta

    from django.utils import timezone

    project = make_project(publish=True)
    pledge = funding.pledge(user=resident, fundraiser=funding.fundraiser_for(project),
                            amount=None)
    funding.confirm_pledge(user=officer, pledge=pledge)
    actions.start_project(user=officer, project=project)
    SocialProject.objects.filter(pk=project.pk).update(
        report_due=timezone.localdate() - timedelta(days=3))
    feature = json.loads(english_client().get(f"/api/layers/projects/{project.pk}/").content)
    assert feature["properties"]["report_overdue"] is True
    listed = json.loads(english_client().get("/api/layers/projects/", {"report_overdue": "true"})
                        .content)
    assert project.pk in [f["id"] for f in listed["features"]]
    page = english_client().get(f"/projects/{project.pk}/")
    assert "Report overdue" in page.content.decode()
    assert PRICE == project.price
