"""Social project rules: tagging from the settlement's KATO code, the estimate, the workflow,
the funding link (fully funded on confirmed money), the completion report, moderation,
permissions by area, and the beneficiary's privacy."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.utils import timezone

from gis_portal.funding import actions as funding
from gis_portal.funding.actions import FundingConflict
from layers.projects import actions
from layers.projects.actions import (
    LineInput,
    NotAllowed,
    ProjectError,
    ProjectInput,
    WrongStage,
)
from layers.projects.models import EstimateLine, ProjectEvent, SocialProject

from .conftest import PRICE, lines, photo_upload

pytestmark = pytest.mark.django_db
Status = SocialProject.Status


def test_a_draft_is_tagged_from_its_settlements_kato_code(make_project, areas, officer):
    project = make_project()
    assert project.status == Status.DRAFT
    assert (project.oblast, project.district, project.okrug) == (areas.oblast, areas.district,
                                                                 areas.okrug)
    assert project.price == PRICE
    assert [line.total for line in project.estimate_lines.order_by("position")] == [
        Decimal("780000.00"), Decimal("220000.00")]
    assert ProjectEvent.objects.get(project=project).action == "created"


def test_tags_follow_the_code_even_when_the_point_lies_in_another_okrug(
        make_project, settlement, areas):
    """The point is inside the district but far from the village: the okrug still comes from
    the settlement's code, never from the approximate okrug polygon the point falls in."""
    from layers.areas.models import AdminArea

    other_okrug = (AdminArea.objects.filter(parent=areas.district, level="okrug",
                                            geom__isnull=False).exclude(pk=areas.okrug.pk)
                   .first())
    if other_okrug is None:
        pytest.skip("the district has one okrug")
    point = other_okrug.geom.point_on_surface
    project = make_project(point=point)
    assert project.okrug == areas.okrug


def test_price_is_the_exact_decimal_total(make_project):
    project = make_project(lines=lines(("Desk", "3", "pcs", "1500.50"),
                                       ("Cable", "2.5", "m", "1000"),
                                       ("Paint", "0.333", "l", "3")))
    assert project.price == Decimal("4501.50") + Decimal("2500.00") + Decimal("1.00")


@pytest.mark.parametrize("row, message", [
    (("Cement", "-2", "bag", "3500"), "Estimate line 2 (Cement): the quantity must be more "
                                      "than zero"),
    (("Cement", "0", "bag", "3500"), "Estimate line 2 (Cement): the quantity must be more "
                                     "than zero"),
    (("Cement", "ten", "bag", "3500"), "Estimate line 2 (Cement): the quantity must be a "
                                       "number"),
    (("Cement", "2", "bag", "-3500"), "Estimate line 2 (Cement): the unit price must be more "
                                      "than zero"),
    (("Cement", "2", "bag", "3 500,555"), "Estimate line 2 (Cement): the unit price must be a "
                                          "number of tenge"),
    (("Cement", "2", "bag", "abc"), "Estimate line 2 (Cement): the unit price must be a "
                                    "number of tenge"),
    (("", "2", "bag", "100"), "Estimate line 2: name the item"),
    (("Cement", "2", "", "100"), "Estimate line 2 (Cement): give the unit"),
])
def test_bad_estimate_lines_are_refused_naming_the_line(make_project, row, message):
    before = SocialProject.objects.count()
    with pytest.raises(ProjectError) as refused:
        make_project(lines=lines(("Sand", "1", "t", "9000"), row))
    assert message in refused.value.message
    assert refused.value.field == "estimate" and refused.value.status == 400
    assert SocialProject.objects.count() == before
    assert not EstimateLine.objects.filter(name="Sand").exists()


def test_an_empty_estimate_is_refused(make_project):
    with pytest.raises(ProjectError, match="at least one estimate line"):
        make_project(lines=[])


def test_numbers_typed_with_spaces_and_a_decimal_comma(make_project):
    project = make_project(lines=lines(("Laptop", "2", "pcs", "350 000,50")))
    assert project.price == Decimal("700001.00")


def test_location_outside_the_settlements_district_is_refused(make_project):
    with pytest.raises(ProjectError, match="outside") as refused:
        make_project(point=Point(51.17, 43.65, srid=4326))  # Aktau
    assert refused.value.field == "lon"
    with pytest.raises(ProjectError, match="outside Kazakhstan"):
        make_project(point=Point(2.35, 48.85, srid=4326))


def test_a_site_polygon_gives_a_point_on_its_surface(make_project, settlement):
    x, y = settlement.geom.x, settlement.geom.y
    site = Polygon.from_bbox((x - 0.002, y - 0.002, x + 0.002, y + 0.002))
    site.srid = 4326
    project = make_project(site=site)
    assert project.site.contains(project.geom)
    bowtie = Polygon(((x, y), (x + 0.01, y + 0.01), (x + 0.01, y), (x, y + 0.01), (x, y)),
                     srid=4326)
    with pytest.raises(ProjectError, match="crosses itself"):
        make_project(site=bowtie)


def test_only_staff_of_the_area_create_and_change(make_project, stranger_staff, resident,
                                                  ngo, moderator):
    with pytest.raises(NotAllowed):
        make_project(user=stranger_staff)
    with pytest.raises(NotAllowed):
        make_project(user=resident)
    with pytest.raises(NotAllowed):
        make_project(user=moderator)
    project = make_project(user=ngo)  # an NGO operator of the okrug
    with pytest.raises(NotAllowed):
        actions.publish_project(user=stranger_staff, project=project)
    actions.publish_project(user=ngo, project=project)
    assert project.status == Status.PUBLISHED


def test_publish_opens_the_fundraiser_at_the_price(make_project, officer, areas):
    project = make_project(publish=True)
    fundraiser = funding.fundraiser_for(project)
    assert fundraiser.goal == PRICE and fundraiser.is_open
    assert fundraiser.area == areas.okrug
    assert project.published_at is not None
    with pytest.raises(WrongStage):
        actions.publish_project(user=officer, project=project)


def test_targeted_aid_needs_its_beneficiary_before_publishing(make_project, officer):
    project = make_project(kind="targeted_aid")
    with pytest.raises(ProjectError, match="beneficiary"):
        actions.publish_project(user=officer, project=project)
    with pytest.raises(ProjectError, match="Only targeted material aid"):
        make_project(beneficiary_name="Someone")


def test_pledges_mirror_onto_the_project_and_confirmed_money_makes_it_funded(
        make_project, officer, resident):
    project = make_project(publish=True)
    fundraiser = funding.fundraiser_for(project)
    first = funding.pledge(user=resident, fundraiser=fundraiser, amount=Decimal("400000"))
    project.refresh_from_db()
    assert (project.pledged, project.confirmed) == (Decimal("400000.00"), Decimal("0.00"))
    assert project.remaining_figure == 600000.0 and project.percent_funded == 0.0
    second = funding.pledge(user=resident, fundraiser=fundraiser, amount=None)  # the rest
    project.refresh_from_db()
    # Everything is pledged, but promises are not money: still raising funds.
    assert project.pledged == PRICE and project.status == Status.PUBLISHED
    with pytest.raises(FundingConflict):
        funding.pledge(user=resident, fundraiser=fundraiser, amount=Decimal("1"))
    funding.confirm_pledge(user=officer, pledge=first)
    funding.confirm_pledge(user=officer, pledge=second)
    project.refresh_from_db()
    assert project.status == Status.FUNDED and project.percent_funded == 100.0
    assert ProjectEvent.objects.filter(project=project, action="fully_funded").exists()
    # The money of a confirmed pledge was returned: back to raising funds.
    funding.cancel_pledge(user=officer, pledge=second, reason="returned")
    project.refresh_from_db()
    assert project.status == Status.PUBLISHED and project.confirmed == Decimal("400000.00")


def test_a_pledge_above_the_remainder_is_refused(make_project, resident):
    project = make_project(publish=True)
    fundraiser = funding.fundraiser_for(project)
    with pytest.raises(FundingConflict, match="remains"):
        funding.pledge(user=resident, fundraiser=fundraiser, amount=PRICE + 1)
    project.refresh_from_db()
    assert project.pledged == 0


def test_editing_a_published_estimate_moves_the_goal_but_not_below_the_pledges(
        make_project, officer, resident, settlement):
    project = make_project(publish=True)
    fundraiser = funding.fundraiser_for(project)
    funding.pledge(user=resident, fundraiser=fundraiser, amount=Decimal("500000"))
    data = ProjectInput(kind="infrastructure", title_kk="Мектеп шатыры",
                        organisation="Ауыл әкімдігі", settlement=settlement,
                        lines=[LineInput("Roofing sheet", "100", "m²", "7000")])
    actions.update_project(user=officer, project=project, data=data)
    fundraiser.refresh_from_db()
    assert project.price == Decimal("700000.00") == fundraiser.goal
    data.lines = [LineInput("Roofing sheet", "10", "m²", "7000")]
    with pytest.raises(WrongStage, match="already pledged"):
        actions.update_project(user=officer, project=project, data=data)
    project.refresh_from_db()
    assert project.price == Decimal("700000.00")
    assert project.estimate_lines.get().quantity == 100


def fully_funded(project, officer, resident):
    fundraiser = funding.fundraiser_for(project)
    pledge = funding.pledge(user=resident, fundraiser=fundraiser, amount=None)
    funding.confirm_pledge(user=officer, pledge=pledge)
    project.refresh_from_db()
    return project


def test_the_workflow_to_the_archive_with_a_report(make_project, officer, resident):
    project = fully_funded(make_project(publish=True), officer, resident)
    with pytest.raises(WrongStage):
        actions.archive_project(user=officer, project=project)
    actions.start_project(user=officer, project=project)
    assert project.status == Status.IN_PROGRESS
    fundraiser = funding.fundraiser_for(project)
    assert not fundraiser.is_open
    line_1, line_2 = project.estimate_lines.order_by("position")
    with pytest.raises(ProjectError, match=r"Estimate line 2 \(Labour\): give the amount spent"):
        actions.submit_report(user=officer, project=project, spent={line_1.pk: "790000"},
                              note_kk="Жасалды", photos=[photo_upload()])
    with pytest.raises(ProjectError, match="cannot be negative"):
        actions.submit_report(user=officer, project=project,
                              spent={line_1.pk: "-1", line_2.pk: "1"}, note_kk="Жасалды",
                              photos=[photo_upload()])
    with pytest.raises(ProjectError, match="at least one photo"):
        actions.submit_report(user=officer, project=project,
                              spent={line_1.pk: "790000", line_2.pk: "200000"},
                              note_kk="Жасалды", photos=[])
    actions.submit_report(user=officer, project=project,
                          spent={line_1.pk: "790000", line_2.pk: "200000"},
                          note_kk="Жасалды", note_en="Done", photos=[photo_upload()])
    assert project.status == Status.COMPLETED and project.report_submitted_at
    line_1.refresh_from_db()
    line_2.refresh_from_db()
    assert line_1.variance == Decimal("10000.00") and line_2.variance == Decimal("-20000.00")
    from gis_portal.photos.actions import photos_of

    assert photos_of(project, purpose="report").count() == 1
    actions.archive_project(user=officer, project=project)
    assert project.status == Status.ARCHIVED
    assert list(project.events.order_by("id").values_list("action", flat=True)) == [
        "created", "published", "fully_funded", "started", "reported", "archived"]


def test_only_a_fully_funded_project_starts(make_project, officer):
    project = make_project(publish=True)
    with pytest.raises(WrongStage, match="fully funded"):
        actions.start_project(user=officer, project=project)


def test_pledges_are_refused_once_the_work_started(make_project, officer, resident):
    project = fully_funded(make_project(publish=True), officer, resident)
    actions.start_project(user=officer, project=project)
    with pytest.raises(FundingConflict):
        funding.pledge(user=resident, fundraiser=funding.fundraiser_for(project),
                       amount=Decimal("10"))


def test_report_overdue(make_project, officer, resident):
    project = fully_funded(make_project(publish=True, report_due=timezone.localdate()
                                        + timedelta(days=1)), officer, resident)
    actions.start_project(user=officer, project=project)
    assert not project.report_overdue
    SocialProject.objects.filter(pk=project.pk).update(
        report_due=timezone.localdate() - timedelta(days=1))
    project.refresh_from_db()
    assert project.report_overdue


def test_moderators_reject_and_hide_with_a_reason(make_project, officer, moderator, resident):
    draft = make_project()
    with pytest.raises(WrongStage):  # only a public project can be hidden
        actions.moderate_project(user=moderator, project=draft, decision="hide", reason="x")
    with pytest.raises(ProjectError, match="reason"):
        actions.moderate_project(user=moderator, project=draft, decision="reject", reason=" ")
    actions.moderate_project(user=moderator, project=draft, decision="reject",
                             reason="Duplicate of another project")
    assert draft.status == Status.REJECTED and draft.moderation_reason
    published = make_project(publish=True)
    actions.moderate_project(user=moderator, project=published, decision="hide",
                             reason="Misleading photos")
    fundraiser = funding.fundraiser_for(published)
    assert published.status == Status.HIDDEN and not fundraiser.is_open
    with pytest.raises(FundingConflict):
        funding.pledge(user=resident, fundraiser=fundraiser, amount=Decimal("10"))
    with pytest.raises(NotAllowed):
        actions.moderate_project(user=resident, project=published, decision="hide",
                                 reason="x")
    actions.restore_project(user=moderator, project=published)
    fundraiser.refresh_from_db()
    assert published.status == Status.PUBLISHED and fundraiser.is_open


def test_the_audit_is_append_only(make_project):
    event = make_project().events.get()
    with pytest.raises(PermissionError):
        event.save()
