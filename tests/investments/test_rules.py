"""Investment projects' rules: the responsible official's rank, tagging from the settlement's
KATO code, rights by area, investors' interest, natives of the region first, home region
first, the layer's public surface and its sample label."""

import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from layers.areas.models import AdminArea
from layers.investments import actions
from layers.investments.models import (
    InvestmentEvent,
    InvestmentProject,
    InvestorInterest,
    Position,
)
from tests.accounts.factories import StaffRoleFactory, UserFactory

from .conftest import employment, north_of, project_input

pytestmark = pytest.mark.django_db
Status = InvestmentProject.Status


# --- the responsible official's position ------------------------------------------------------

@pytest.mark.parametrize("position", [Position.SPECIALIST, Position.CHIEF_SPECIALIST,
                                      Position.DEPUTY_HEAD_OF_DEPARTMENT,
                                      Position.AKIM_OF_RURAL_OKRUG])
def test_a_position_below_the_rank_is_refused_with_the_qualifying_ones(
        far_apart_settlements, oblast_staff, position):
    before = InvestmentProject.objects.count()
    with pytest.raises(actions.InvestmentError) as refused:
        actions.create_project(user=oblast_staff, data=project_input(
            far_apart_settlements[0], responsible_position=position))
    error = refused.value
    assert error.status == 400 and error.field == "responsible_position"
    for qualifying in ("head of department", "akim of a town", "deputy akim of a district",
                       "akim of a district", "akim of an oblast"):
        assert qualifying in error.message
    assert InvestmentProject.objects.count() == before


@pytest.mark.parametrize("position", [Position.HEAD_OF_DEPARTMENT, Position.AKIM_OF_TOWN,
                                      Position.DEPUTY_AKIM_OF_DISTRICT,
                                      Position.AKIM_OF_OBLAST])
def test_qualifying_positions_are_accepted(make_project, far_apart_settlements, position):
    project = make_project(far_apart_settlements[0], responsible_position=position)
    assert project.responsible_position == position
    assert InvestmentEvent.objects.filter(project=project, action="create").exists()


def test_an_unknown_position_is_refused_and_the_database_refuses_a_low_one_too(
        make_project, far_apart_settlements):
    with pytest.raises(actions.InvestmentError, match="from the list"):
        actions.checked_position("janitor")
    project = make_project(far_apart_settlements[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        InvestmentProject.objects.filter(pk=project.pk).update(
            responsible_position=Position.SPECIALIST)


@pytest.mark.parametrize("field, value, message", [
    ("investment_needed", "-5", "more than zero"),
    ("investment_needed", "a lot", "amount in tenge"),
    ("jobs_created", "2.5", "whole number"),
    ("jobs_created", "-1", "between 0"),
    ("sector", "mining", "sector from the list"),
    ("title_kk", "", "title"),
    ("responsible_name", "", "responsible official"),
])
def test_bad_values_are_refused_with_what_to_fix(far_apart_settlements, oblast_staff, field,
                                                 value, message):
    overrides = {field: value}
    if field == "title_kk":
        overrides["title_ru"] = ""
    with pytest.raises(actions.InvestmentError, match=message):
        actions.create_project(user=oblast_staff,
                               data=project_input(far_apart_settlements[0], **overrides))
    assert not InvestmentProject.objects.filter(settlement=far_apart_settlements[0]).exists()


# --- tagging and rights -----------------------------------------------------------------------

def test_a_project_is_tagged_from_its_settlements_kato_code_not_its_point(
        make_project, far_apart_settlements):
    settlement, elsewhere = far_apart_settlements[0], far_apart_settlements[1]
    # The point lies in another district; the settlement's code decides the areas.
    project = make_project(settlement, point=elsewhere.geom)
    assert project.district_id == settlement.district_id != elsewhere.district_id
    assert project.oblast.kato == settlement.kato[:2] + "0000000"
    assert project.settlement_kato == settlement.kato


def test_only_staff_of_the_area_create_edit_and_move_projects(far_apart_settlements,
                                                              make_project):
    settlement, other = far_apart_settlements[0], far_apart_settlements[1]
    own_staff = StaffRoleFactory(areas=[settlement.district]).user
    other_staff = StaffRoleFactory(areas=[other.district]).user
    resident = UserFactory()
    for user in (other_staff, resident):
        with pytest.raises(actions.NotAllowed) as refused:
            actions.create_project(user=user, data=project_input(settlement))
        assert refused.value.status == 403
    project = actions.create_project(user=own_staff, data=project_input(settlement))
    with pytest.raises(actions.NotAllowed):
        actions.change_status(user=other_staff, project=project, status=Status.IN_PROGRESS)
    with pytest.raises(actions.NotAllowed):
        actions.update_project(user=other_staff, project=project,
                               data=project_input(settlement, jobs_created="99"))
    actions.change_status(user=own_staff, project=project, status=Status.COMPLETED)
    with pytest.raises(actions.Conflict) as final:
        actions.change_status(user=own_staff, project=project, status=Status.IN_PROGRESS)
    assert final.value.status == 409
    assert list(project.events.values_list("action", flat=True)) == ["status", "create"]


def test_staff_pages_by_area(client, far_apart_settlements, make_project):
    settlement, other = far_apart_settlements[0], far_apart_settlements[1]
    project = make_project(settlement)
    own = StaffRoleFactory(areas=[settlement.district]).user
    foreign = StaffRoleFactory(areas=[other.district]).user
    client.force_login(UserFactory())
    assert client.get("/investments/new/").status_code == 403
    client.force_login(foreign)
    assert client.get(f"/investments/{project.pk}/edit/").status_code == 403
    assert client.post(f"/investments/{project.pk}/status",
                       {"status": "cancelled"}).status_code == 403
    client.force_login(own)
    page = client.get(f"/investments/{project.pk}/edit/")
    assert page.status_code == 200
    form = {"title_kk": "Жаңа атау", "sector": "tourism", "investment_needed": "5 000 000",
            "jobs_created": "7", "settlement_kato": settlement.kato, "status": "proposed",
            "responsible_name": "B. Bekov", "responsible_position": "specialist"}
    refused = client.post(f"/investments/{project.pk}/edit/", form)
    assert refused.status_code == 400
    assert "head of department" in refused.content.decode()
    form["responsible_position"] = "akim_of_town"
    assert client.post(f"/investments/{project.pk}/edit/", form).status_code == 302
    project.refresh_from_db()
    assert (project.title_kk, project.investment_needed, project.jobs_created) == (
        "Жаңа атау", Decimal("5000000.00"), 7)
    created = client.post("/investments/new/", form | {"title_kk": "Екінші"})
    assert created.status_code == 302
    assert InvestmentProject.objects.filter(title_kk="Екінші", created_by=own).exists()


# --- investors ---------------------------------------------------------------------------------

def test_interest_rules(client, far_apart_settlements, make_project):
    project = make_project(far_apart_settlements[0])
    investor = UserFactory()
    with pytest.raises(actions.NotAllowed):
        actions.register_interest(user=None, project=project, message="Hello")
    with pytest.raises(actions.InvestmentError, match="short message"):
        actions.register_interest(user=investor, project=project, message="  ")
    client.force_login(investor)
    for wrong in (5, True, ["I build dairies."], {"text": "I build dairies."}):
        refused = client.post(f"/api/investments/{project.pk}/interest",
                              json.dumps({"message": wrong}), content_type="application/json")
        assert refused.status_code == 400 and refused.json()["field"] == "message", wrong
    response = client.post(f"/api/investments/{project.pk}/interest",
                           json.dumps({"message": "I build dairies."}),
                           content_type="application/json")
    assert response.status_code == 201
    again = client.post(f"/api/investments/{project.pk}/interest",
                        json.dumps({"message": "Me again"}), content_type="application/json")
    assert again.status_code == 409 and "already" in again.json()["error"]
    closed = make_project(far_apart_settlements[1], status=Status.INVESTOR_FOUND)
    page = client.post(f"/investments/{closed.pk}/interest", {"message": "Late"})
    assert page.status_code == 409
    assert "no longer takes" in page.content.decode()
    assert InvestorInterest.objects.filter(investor=investor).count() == 1


def test_the_responsible_staff_see_natives_of_the_district_then_the_oblast_first(
        client, far_apart_settlements, make_project):
    settlement = far_apart_settlements[0]
    project = make_project(settlement)
    district = project.district
    okrug_of_district = AdminArea.objects.filter(parent=district).first() or district
    other_district = far_apart_settlements[1].district
    far_oblast = AdminArea.objects.get(generation__is_current=True, kato="470000000")
    far_district = AdminArea.objects.filter(parent=far_oblast).first()
    people = {
        "elsewhere": UserFactory(home_area=far_district),
        "oblast": UserFactory(home_area=other_district),
        "nowhere": UserFactory(home_area=None),
        "district": UserFactory(home_area=okrug_of_district),
    }
    for name, user in people.items():  # registered in this order: elsewhere first
        actions.register_interest(user=user, project=project, message=f"From {name}")
    staff = StaffRoleFactory(areas=[district]).user
    listed = list(actions.interested_investors(user=staff, project=project))
    assert [i.message for i in listed] == ["From district", "From oblast", "From elsewhere",
                                           "From nowhere"]
    assert [i.native_rank for i in listed] == [0, 1, 2, 2]

    client.force_login(staff)
    body = client.get(f"/api/investments/{project.pk}/interests").json()
    assert [i["message"] for i in body["interests"]][:2] == ["From district", "From oblast"]
    page = client.get(f"/investments/{project.pk}/").content.decode()
    assert page.index("From district") < page.index("From oblast") < page.index("From elsewhere")
    assert "from this district" in page

    client.force_login(StaffRoleFactory(areas=[other_district]).user)
    assert client.get(f"/api/investments/{project.pk}/interests").status_code == 403
    client.force_login(people["oblast"])
    assert "From district" not in client.get(f"/investments/{project.pk}/").content.decode()


def test_an_investor_asks_for_projects_in_their_home_region_first(
        client, far_apart_settlements, make_project):
    home, same_oblast = far_apart_settlements[0], far_apart_settlements[1]
    in_oblast = make_project(same_oblast, title_kk="Облыста", title_en="")
    at_home = make_project(home, title_kk="Ауданда", title_en="")
    elsewhere_settlement = (type(home).objects.filter(kato__startswith="47", geom__isnull=False)
                            .order_by("kato").first())
    far = actions.create_project(user=StaffRoleFactory(kind="administrator").user,
                                 data=project_input(elsewhere_settlement, title_kk="Алыста",
                                                     title_en=""))
    investor = UserFactory(home_area=home.district)
    client.force_login(investor)
    ids = [p["id"] for p in client.get("/api/investments/projects/",
                                       {"home_first": "1"}).json()["projects"]]
    mine = [pk for pk in ids if pk in {at_home.pk, in_oblast.pk, far.pk}]
    assert mine == [at_home.pk, in_oblast.pk, far.pk]
    newest_first = [p["id"] for p in client.get("/api/investments/projects/").json()["projects"]]
    assert newest_first[:3] == [far.pk, at_home.pk, in_oblast.pk]
    page = client.get("/investments/", {"home_first": "1"}).content.decode()
    assert page.index("Ауданда") < page.index("Облыста") < page.index("Алыста")
    assert client.get("/api/investments/projects/", {"home_first": "yes"}).status_code == 400
    assert client.get("/api/investments/projects/", {"sector": "mining"}).status_code == 400


# --- the layer ---------------------------------------------------------------------------------

def test_the_layer_shows_the_latest_rate_with_its_sample_label_and_filters(
        client, far_apart_settlements, make_project):
    settlement = far_apart_settlements[2]
    employment(settlement, 14.5, year=2022)
    employment(settlement, 18.0, year=2024, is_sample=True)
    project = make_project(settlement, jobs_created="4321")
    feature = client.get(f"/api/layers/investments/{project.pk}/").json()
    props = feature["properties"]
    assert props["unemployment_rate"] == 18.0 and props["employment_year"] == 2024
    assert props["employment_is_sample"] is True
    assert props["employment_note"] == "sample values, not official statistics"
    assert props["investment"] == 125_000_000.0 and props["jobs"] == 4321
    assert "responsible_name" not in props and "A. Akimov" not in json.dumps(feature)
    listed = client.get("/api/layers/investments/", {"min_jobs": 4000, "max_jobs": 5000,
                                                      "sector": "food_processing"}).json()
    assert [f["id"] for f in listed["features"]] == [project.pk]
    stats = client.get("/api/layers/investments/stats", {"level": "district",
                                                         "min_jobs": 4000}).json()
    row = next(r for r in stats["areas"] if r["kato"] == project.district.kato)
    assert row["count"] == 1 and row["jobs"] == 4321 and row["investment"] == 125_000_000.0
    page = client.get(f"/investments/{project.pk}/").content.decode()
    assert "sample values, not official statistics" in page


def test_a_point_north_helper_is_metric(far_apart_settlements):
    from django.db import connection

    point = far_apart_settlements[0].geom
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Distance(%s::geography, %s::geography)",
                       [point.ewkt, north_of(point, 10).ewkt])
        metres = cursor.fetchone()[0]
    assert 9_950 < metres < 10_050
