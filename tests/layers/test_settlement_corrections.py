"""Settlement position corrections: the akimat moves a point (page, admin, accepted report),
audited and re-tagged; residents report wrong positions into their area's staff queue."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils.html import escape

from gis_portal.accounts.models import StaffRole
from layers.areas import actions
from layers.areas.models import (
    AdminArea,
    AdminAreaPart,
    Settlement,
    SettlementPositionChange,
    SettlementPositionReport,
)
from tests.accounts.factories import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

TASHKENT = Point(69.28, 41.31, srid=4326)


def okrug_at(point):
    part = (AdminAreaPart.objects.filter(generation__is_current=True, level="okrug",
                                         geom__intersects=point).select_related("area").first())
    return part.area if part else None


@pytest.fixture
def place():
    """A placed settlement of a district with several drawn okrugs; a point inside another
    okrug of the same district; a point in another district of another oblast."""
    districts = (AdminArea.objects.filter(generation__is_current=True, level="district",
                                          parent__kato="190000000", geom__isnull=False)
                 .order_by("kato"))
    for district in districts:
        okrugs = list(AdminArea.objects.filter(parent=district, level="okrug",
                                               geom__isnull=False).order_by("kato"))
        if len(okrugs) < 2:
            continue
        settlement = (Settlement.objects.filter(kato__startswith=okrugs[0].kato[:6],
                                                geom__isnull=False)
                      .exclude(kato=okrugs[0].kato).order_by("kato").first())
        if settlement is None:
            continue
        target = okrugs[1].geom.point_on_surface
        assert district.geom.intersects(target)
        elsewhere = AdminArea.objects.get(generation__is_current=True, kato="470000000")
        return {"settlement": settlement, "district": district, "own_okrug": okrugs[0],
                "other_okrug": okrugs[1], "target": target,
                "other_district_point": elsewhere.geom.point_on_surface}
    pytest.fail("no district of Almaty oblast with two drawn okrugs and a placed settlement")


@pytest.fixture
def officer(place):
    return StaffRoleFactory(areas=[place["district"]]).user


@pytest.fixture
def other_officer(place):
    other = (AdminArea.objects.filter(generation__is_current=True, level="district",
                                      parent__kato="190000000")
             .exclude(pk=place["district"].pk).order_by("kato").first())
    return StaffRoleFactory(areas=[other]).user


@pytest.fixture
def resident():
    return UserFactory()


def page(settlement):
    return f"/settlements/{settlement.kato}/"


def move(client, settlement, point, reason="checked on site"):
    return client.post(f"/settlements/{settlement.kato}/position",
                       {"lon": point.x, "lat": point.y, "reason": reason})


def report(client, settlement, point, comment="The village is across the river"):
    return client.post(f"/settlements/{settlement.kato}/reports",
                       {"lon": point.x, "lat": point.y, "comment": comment})


# --- the settlement page -------------------------------------------------------------------

def test_the_page_shows_name_areas_and_how_exact_the_position_is(client, place):
    settlement = place["settlement"]
    response = client.get(page(settlement))
    assert response.status_code == 200
    text = response.content.decode()
    assert escape(settlement.name) in text
    assert place["district"].name in text
    assert "Sign in to report a wrong position" in text
    assert 'name="reason"' not in text


def test_an_approximate_position_says_so_on_the_page(client, place):
    settlement = place["settlement"]
    Settlement.objects.filter(pk=settlement.pk).update(
        position_source=Settlement.PositionSource.OKRUG_CENTRE, position_precision_m=5000)
    text = client.get(page(settlement)).content.decode()
    assert "approximate: placed at the rural okrug centre, ±5 km" in text


def test_an_unknown_settlement_is_404(client):
    assert client.get("/settlements/999999999/").status_code == 404


# --- staff corrections ---------------------------------------------------------------------

def test_staff_of_the_district_move_the_point_and_it_is_audited(client, place, officer):
    settlement = place["settlement"]
    before = Settlement.objects.get(pk=settlement.pk)
    client.force_login(officer)
    assert 'name="reason"' in client.get(page(settlement)).content.decode()

    response = move(client, settlement, place["target"], reason="surveyed on 2026-11-20")

    assert response.status_code == 302
    after = Settlement.objects.get(pk=settlement.pk)
    assert after.geom.distance(place["target"]) < 1e-9
    assert after.position_source == Settlement.PositionSource.STAFF
    assert after.position_precision_m == actions.STAFF_PRECISION_M
    change = SettlementPositionChange.objects.get(settlement=settlement)
    assert change.actor == officer
    assert change.via == SettlementPositionChange.Via.PAGE
    assert change.previous_geom.equals_exact(before.geom, 1e-9)
    assert change.previous_source == before.position_source
    assert change.previous_precision_m == before.position_precision_m
    assert change.new_geom.equals_exact(place["target"], 1e-9)
    assert change.new_precision_m == actions.STAFF_PRECISION_M
    assert change.reason == "surveyed on 2026-11-20"
    assert change.client_ip == "127.0.0.1"
    assert change.created_at is not None
    page_text = client.get(page(settlement)).content.decode()
    assert "set by akimat staff, ±100 m" in page_text


def test_an_okrug_officer_may_move_settlements_of_the_okrug_only(client, place):
    okrug_officer = StaffRoleFactory(areas=[place["own_okrug"]]).user
    client.force_login(okrug_officer)
    assert move(client, place["settlement"], place["target"]).status_code == 302
    elsewhere = (Settlement.objects.filter(kato__startswith=place["other_okrug"].kato[:6])
                 .exclude(kato=place["other_okrug"].kato).first())
    assert move(client, elsewhere, place["target"]).status_code == 403


def test_staff_of_another_district_are_refused(client, place, other_officer):
    client.force_login(other_officer)
    response = move(client, place["settlement"], place["target"])
    assert response.status_code == 403
    assert not SettlementPositionChange.objects.exists()
    assert Settlement.objects.get(pk=place["settlement"].pk).geom.equals(
        place["settlement"].geom)


def test_a_resident_cannot_move_a_point(client, place, resident):
    client.force_login(resident)
    assert move(client, place["settlement"], place["target"]).status_code == 403
    assert not SettlementPositionChange.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, place):
    response = move(client, place["settlement"], place["target"])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not SettlementPositionChange.objects.exists()


@pytest.mark.parametrize("where, words", [
    ("other_district_point", "outside"),
    ("tashkent", "outside Kazakhstan"),
])
def test_a_point_outside_the_district_is_refused_and_nothing_is_written(
        client, place, officer, where, words):
    point = TASHKENT if where == "tashkent" else place[where]
    client.force_login(officer)
    response = move(client, place["settlement"], point)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not SettlementPositionChange.objects.exists()
    after = Settlement.objects.get(pk=place["settlement"].pk)
    assert after.geom.equals(place["settlement"].geom)
    assert after.position_source == place["settlement"].position_source


def test_a_move_needs_a_reason_and_numbers(client, place, officer):
    client.force_login(officer)
    assert move(client, place["settlement"], place["target"], reason="  ").status_code == 400
    response = client.post(f"/settlements/{place['settlement'].kato}/position",
                           {"lon": "east", "lat": "43", "reason": "x"})
    assert response.status_code == 400
    assert not SettlementPositionChange.objects.exists()


def test_the_moved_settlement_is_retagged(place, officer):
    settlement = place["settlement"]
    # A stale tag must not survive the move.
    Settlement.objects.filter(pk=settlement.pk).update(okrug=None, district=None)
    actions.move_settlement(actor=officer, settlement=settlement, point=place["target"],
                            reason="surveyed")
    settlement.refresh_from_db()
    assert settlement.district == place["district"]
    # The point was in another okrug's approximate polygon; the okrug polygons are drawn from
    # settlement points, so they are redrawn: its own okrug now reaches it, and the tag says so.
    assert settlement.okrug == place["own_okrug"]
    assert okrug_at(settlement.geom) == place["own_okrug"]


def test_position_changes_are_append_only(place, officer):
    change = actions.move_settlement(actor=officer, settlement=place["settlement"],
                                     point=place["target"], reason="surveyed")
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        SettlementPositionChange.objects.filter(pk=change.pk).update(reason="edited")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE areas_settlementpositionchange SET reason = 'x' WHERE id = %s",
                       [change.pk])


def test_admin_save_of_a_moved_point_goes_through_the_action(client, place, officer):
    officer.is_staff = True
    officer.save()
    officer.user_permissions.add(Permission.objects.get(codename="change_settlement"),
                                 Permission.objects.get(codename="view_settlement"))
    settlement = Settlement.objects.get(pk=place["settlement"].pk)
    client.force_login(officer)
    url = f"/admin/areas/settlement/{settlement.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()
            if name in form.fields}
    data.update({"geom": place["target"].geojson, "position_reason": ""})
    for name in ("oblast", "district", "okrug"):
        data[name] = getattr(settlement, f"{name}_id") or ""

    refused = client.post(url, data)  # no reason given
    assert refused.status_code == 200 and "Say why the point moves" in refused.content.decode()
    assert not SettlementPositionChange.objects.exists()

    data["position_reason"] = "matched the cadastral map"
    assert client.post(url, data).status_code == 302
    change = SettlementPositionChange.objects.get(settlement=settlement)
    assert change.via == SettlementPositionChange.Via.ADMIN
    assert change.reason == "matched the cadastral map"
    after = Settlement.objects.get(pk=settlement.pk)
    assert after.geom.distance(place["target"]) < 1e-9
    assert after.position_source == Settlement.PositionSource.STAFF

    data["geom"] = place["other_district_point"].geojson
    outside = client.post(url, data)
    assert outside.status_code == 200 and "outside" in outside.content.decode()
    assert SettlementPositionChange.objects.count() == 1


# --- residents' reports --------------------------------------------------------------------

def test_a_report_lands_in_the_queue_of_the_settlements_area_only(
        client, place, resident, officer, other_officer):
    settlement = place["settlement"]
    client.force_login(resident)
    assert report(client, settlement, place["target"]).status_code == 302
    filed = SettlementPositionReport.objects.get(settlement=settlement)
    assert filed.reporter == resident and filed.status == "open"
    assert filed.area in (place["own_okrug"], place["district"])
    assert "waiting for the akimat" in client.get(page(settlement)).content.decode().lower()

    assert list(actions.open_reports_for(officer)) == [filed]
    assert list(actions.open_reports_for(other_officer)) == []
    client.force_login(officer)
    queue = client.get("/settlements/reports/")
    assert queue.status_code == 200
    assert "The village is across the river" in queue.content.decode()
    client.force_login(other_officer)
    assert "The village is across the river" not in client.get(
        "/settlements/reports/").content.decode()
    client.force_login(resident)
    assert client.get("/settlements/reports/").status_code == 403


def test_a_report_outside_the_district_is_refused(client, place, resident):
    client.force_login(resident)
    response = report(client, place["settlement"], place["other_district_point"])
    assert response.status_code == 400
    assert not SettlementPositionReport.objects.exists()


def test_accepting_a_report_moves_the_point_audited(client, place, resident, officer):
    settlement = place["settlement"]
    filed = actions.report_position(reporter=resident, settlement=settlement,
                                    point=place["target"], comment="It is by the lake")
    client.force_login(officer)
    response = client.post(f"/settlements/reports/{filed.pk}/accept",
                           {f"accept-{filed.pk}-note": "confirmed with the okrug akim"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == "accepted" and filed.decided_by == officer
    change = SettlementPositionChange.objects.get(settlement=settlement)
    assert filed.change == change
    assert change.via == SettlementPositionChange.Via.REPORT and change.report == filed
    assert change.actor == officer and change.reason == "confirmed with the okrug akim"
    assert Settlement.objects.get(pk=settlement.pk).geom.distance(place["target"]) < 1e-9
    # Decided once only.
    again = client.post(f"/settlements/reports/{filed.pk}/accept")
    assert again.status_code == 409
    client.force_login(resident)
    text = client.get(page(settlement)).content.decode()
    assert "accepted: the point was moved" in text.lower()
    assert "confirmed with the okrug akim" in text


def test_dismissing_a_report_needs_a_reason_the_reporter_reads(client, place, resident,
                                                               officer, other_officer):
    settlement = place["settlement"]
    filed = actions.report_position(reporter=resident, settlement=settlement,
                                    point=place["target"], comment="Wrong place")
    client.force_login(other_officer)
    assert client.post(f"/settlements/reports/{filed.pk}/dismiss",
                       {f"dismiss-{filed.pk}-reason": "no"}).status_code == 403
    client.force_login(officer)
    assert client.post(f"/settlements/reports/{filed.pk}/dismiss").status_code == 400
    response = client.post(f"/settlements/reports/{filed.pk}/dismiss",
                           {f"dismiss-{filed.pk}-reason": "That is the winter pasture"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == "dismissed" and filed.decision_note == "That is the winter pasture"
    assert not SettlementPositionChange.objects.exists()
    assert Settlement.objects.get(pk=settlement.pk).geom.equals(settlement.geom)
    client.force_login(resident)
    text = client.get(page(settlement)).content.decode()
    assert "dismissed" in text.lower() and "That is the winter pasture" in text


def test_reports_are_limited_per_user_and_day(place, resident):
    settlements = list(Settlement.objects.filter(kato__startswith=place["district"].kato[:4],
                                                 geom__isnull=False)
                       .order_by("kato")[:actions.REPORTS_PER_USER_PER_DAY + 1])
    for settlement in settlements[:-1]:
        actions.report_position(reporter=resident, settlement=settlement,
                                point=place["target"], comment="wrong")
    with pytest.raises(actions.RateLimited):
        actions.report_position(reporter=resident, settlement=settlements[-1],
                                point=place["target"], comment="wrong")


def test_one_open_report_per_settlement_and_user(client, place, resident):
    client.force_login(resident)
    assert report(client, place["settlement"], place["target"]).status_code == 302
    assert report(client, place["settlement"], place["target"]).status_code == 409
    assert SettlementPositionReport.objects.count() == 1


def test_roles_without_change_rights_see_no_queue(client, place):
    operator = StaffRoleFactory(kind=StaffRole.Kind.SERVICE_CENTRE_OPERATOR).user
    client.force_login(operator)
    assert client.get("/settlements/reports/").status_code == 403


def test_the_admin_map_widget_runs_under_the_content_security_policy(client, place, officer):
    """The widget's inline script carries the nonce the response's policy allows."""
    officer.is_staff = True
    officer.save()
    officer.user_permissions.add(Permission.objects.get(codename="change_settlement"),
                                 Permission.objects.get(codename="view_settlement"))
    client.force_login(officer)
    response = client.get(f"/admin/areas/settlement/{place['settlement'].pk}/change/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonces = re.findall(r"'nonce-([^']+)'", policy)
    assert len(nonces) == 1, policy
    assert f'<script nonce="{nonces[0]}">' in response.content.decode()
