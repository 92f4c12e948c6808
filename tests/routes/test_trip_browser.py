"""A tourist plans a west-to-east trip in the browser, sees it drawn with its day list, and
downloads the GPX; the page passes axe on a laptop and at a phone's width (375 px)."""

import gpxpy
import pytest
from playwright.sync_api import expect

from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

# django_db makes a targeted run set up the test database (the graph is committed with it).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_tourist_plans_west_to_east_and_downloads_the_gpx(browser, portal_server, viewport):
    context = browser.new_context(locale="en-US", viewport=VIEWPORTS[viewport],
                                  accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": "en", "url": portal_server}])
    outside = refuse_other_hosts(context)
    errors, refused = [], []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        page.goto(f"{portal_server}/trips/")
        expect(page.get_by_role("heading", name="What this route does not know")).to_be_visible()
        assert_no_axe_violations(page)

        page.get_by_label("Ready-made trip").select_option("west-east")
        page.get_by_label("or kilometres per day").fill("500")
        page.get_by_role("button", name="Plan the trip").click()

        expect(page.get_by_role("heading", level=2, name="Aktau")).to_be_visible()
        days = page.locator("[data-trip-days] > li")
        expect(days.first).to_contain_text("Day 1")
        assert days.count() >= 5
        expect(days.last).to_contain_text("Oskemen")
        # The route, its overnight stops and sights are drawn on the map.
        expect(page.locator("[data-trip-map][data-route-drawn]")).to_be_attached()
        assert page.locator("#trip-map .leaflet-overlay-pane path").count() >= days.count()
        expect(page.locator(".trip-honesty")).to_contain_text("schematic")
        # The address is the shareable link.
        assert "preset=west-east" in page.url
        assert "preset=west-east" in page.get_by_label("Link to this trip").input_value()
        assert_no_axe_violations(page)

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download GPX").click()
        download = download_info.value
        assert download.suggested_filename == "trip-aktau-oskemen.gpx"
        gpx = gpxpy.parse(open(download.path(), encoding="utf-8").read())
        points = gpx.tracks[0].segments[0].points
        assert round(points[0].longitude, 4) == 51.1682  # Aktau
        assert round(points[-1].longitude, 4) == 82.6275  # Ust-Kamenogorsk
        assert len(gpx.waypoints) >= days.count()
    finally:
        context.close()
    assert outside == [], f"the page asked other hosts: {outside}"
    assert errors == [], f"script errors: {errors}"
    assert refused == [], f"refused by the Content-Security-Policy: {refused}"


@pytest.fixture(scope="module")
def staff_session(django_db_setup, django_db_blocker):
    """A committed staff member of Almaty oblast (removed afterwards) and one sample route."""
    from django.conf import settings
    from django.test import Client

    from layers.areas.models import AdminArea
    from layers.routes.models import EcoRoute
    from tests.accounts.factories import StaffRoleFactory

    def create():
        role = StaffRoleFactory(areas=[AdminArea.objects.get(generation__is_current=True,
                                                             kato="190000000")])
        client = Client()
        client.force_login(role.user)
        route = EcoRoute.objects.filter(is_sample=True, published=True).order_by("pk").first()
        return role.user, client.cookies[settings.SESSION_COOKIE_NAME].value, route.pk

    user, cookie, route_id = in_database(django_db_blocker, create)
    yield cookie, route_id
    in_database(django_db_blocker, user.delete)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_route_page_and_import_page_pass_axe(browser, portal_server, staff_session, viewport):
    from django.conf import settings

    cookie, route_id = staff_session
    context = browser.new_context(locale="en-US", viewport=VIEWPORTS[viewport])
    context.add_cookies([{"name": "django_language", "value": "en", "url": portal_server},
                         {"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                          "url": portal_server}])
    outside = refuse_other_hosts(context)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{portal_server}/routes/{route_id}/")
        expect(page.get_by_role("link", name="Download GPX")).to_be_visible()
        expect(page.locator("#route-map .leaflet-overlay-pane path").first).to_be_attached()
        assert_no_axe_violations(page)
        page.goto(f"{portal_server}/routes/import/")
        expect(page.get_by_label("Track file (GPX or KML)")).to_be_visible()
        assert_no_axe_violations(page)
    finally:
        context.close()
    assert outside == [] and errors == [], (outside, errors)
