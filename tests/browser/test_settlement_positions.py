"""Settlement positions in the browser: approximate points are drawn hollow and purple on the
map and described as approximate (legend and click popup); the settlement page works with
the keyboard and on a phone, and a resident's report sent from it shows on it; staff decide
on reports in their queue. Every page passes axe."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from layers.areas import actions
from layers.areas.models import Settlement, SettlementPositionReport
from tests.accounts.factories import StaffRoleFactory, UserFactory
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

# django_db makes a targeted run set up the test database; the browser starts per test, after
# that (the database helper touches the connection in the main thread, where Playwright's
# loop would forbid it), and the tests' own database work runs in a thread (in_database).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# The approximate points' stroke (positions.js APPROXIMATE_POINT_STYLE.color), #7b3294.
APPROXIMATE_RGB = (0x7B, 0x32, 0x94)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.fixture
def new_page(browser, portal_server):
    """Pages in English (the portal's own language cookie); afterwards: no request left
    127.0.0.1, no script error, nothing blocked by the Content-Security-Policy."""
    opened = []

    def open_page(viewport=None):
        context = browser.new_context(locale="en-US",
                                      viewport=viewport or {"width": 1280, "height": 800})
        context.add_cookies([{"name": "django_language", "value": "en", "url": portal_server}])
        outside = refuse_other_hosts(context)
        errors, blocked = [], []
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        # The portal's Content-Security-Policy must not block anything these pages use.
        page.on("console", lambda message: blocked.append(message.text)
                if "Content Security Policy" in message.text else None)
        opened.append((context, outside, errors, blocked))
        return page

    yield open_page
    for context, outside, errors, blocked in opened:
        context.close()
        assert outside == [], f"the page asked other hosts: {outside}"
        assert errors == [], f"script errors: {errors}"
        assert blocked == [], f"blocked by the page's policy: {blocked}"



@pytest.fixture(scope="module")
def approximate_settlement(django_db_setup, django_db_blocker):
    settlement = in_database(django_db_blocker, lambda: Settlement.objects.filter(
        position_source=Settlement.PositionSource.OKRUG_CENTRE, geom__isnull=False)
        .order_by("kato").first())
    assert settlement is not None, "the reference data has no settlement at an okrug centre"
    return settlement


@pytest.fixture
def resident_session(django_db_setup, django_db_blocker):
    """A committed account (the server process sees only committed rows) and a signed-in
    session cookie of it; the account and its reports are removed afterwards."""
    def create():
        user = UserFactory()
        client = Client()
        client.force_login(user)
        return user, client.cookies[settings.SESSION_COOKIE_NAME].value

    user, session = in_database(django_db_blocker, create)
    yield session

    def remove():
        SettlementPositionReport.objects.filter(reporter=user).delete()
        user.delete()

    in_database(django_db_blocker, remove)


def approximate_pixels(page) -> int:
    """Pixels of the approximate points' colour on the map's tile canvases."""
    return page.evaluate(
        """([r, g, b]) => {
          let count = 0;
          for (const canvas of document.querySelectorAll(".leaflet-tile-pane canvas")) {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 0; i < data.length; i += 4) {
              if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24
                  && Math.abs(data[i + 2] - b) < 24 && data[i + 3] > 128) count += 1;
            }
          }
          return count;
        }""", list(APPROXIMATE_RGB))


def test_an_approximate_settlement_is_drawn_and_described_as_approximate(
        new_page, portal_server, approximate_settlement):
    lon, lat = approximate_settlement.geom.x, approximate_settlement.geom.y
    page = new_page()
    page.goto(f"{portal_server}/#map=14/{lat:.5f}/{lon:.5f}&layers=settlements")
    legend = page.locator(".position-legend")
    expect(legend).to_contain_text("approximate position")
    expect(legend).to_contain_text("placed where it is known")
    expect(page.locator("canvas.leaflet-tile-loaded").first).to_be_attached(timeout=15_000)
    page.wait_for_function("document.querySelectorAll('.leaflet-tile-pane canvas').length > 0")
    page.wait_for_timeout(500)  # the tiles' features are drawn after the canvas is attached
    assert approximate_pixels(page) > 0, "no hollow purple point drawn for the approximate one"

    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".lookup-popup")
    expect(popup).to_contain_text("approximate: placed at the rural okrug centre", timeout=15_000)
    expect(popup).to_contain_text("±")
    expect(popup.get_by_role("link", name="Settlement page").first).to_be_visible()


def test_the_settlement_page_is_accessible_and_describes_the_position(
        new_page, portal_server, approximate_settlement):
    page = new_page()
    page.goto(f"{portal_server}/settlements/{approximate_settlement.kato}/")
    expect(page.locator("h1")).to_contain_text(approximate_settlement.name_kk
                                                if not approximate_settlement.name_en
                                                else approximate_settlement.name_en)
    expect(page.locator("[data-position-description]")).to_contain_text(
        "approximate: placed at the rural okrug centre")
    expect(page.get_by_role("link", name="Sign in to report a wrong position")).to_be_visible()
    expect(page.locator("#settlement-map .leaflet-tile-pane, #settlement-map canvas").first
           ).to_be_attached(timeout=15_000)
    assert_no_axe_violations(page)


def test_a_resident_reports_a_position_by_keyboard_on_a_phone(
        new_page, portal_server, approximate_settlement, resident_session):
    settlement = approximate_settlement
    page = new_page(PHONE)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": resident_session,
                               "domain": urlsplit(portal_server).hostname, "path": "/"}])
    page.goto(f"{portal_server}/settlements/{settlement.kato}/")
    expect(page.get_by_role("heading", name="Report a wrong position")).to_be_visible()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)

    # A click on the map fills the coordinates in...
    marker = page.locator("#settlement-map .leaflet-marker-icon")
    expect(marker).to_be_visible(timeout=15_000)
    lon_field = page.get_by_label("Longitude (degrees east)")
    before = lon_field.input_value()
    box = page.locator("#settlement-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6)
    expect(lon_field).not_to_have_value(before)

    # ...and typed coordinates move the marker.
    marker_before = marker.bounding_box()
    lon, lat = settlement.geom.x + 0.002, settlement.geom.y + 0.001
    lon_field.fill(f"{lon:.5f}")
    page.get_by_label("Latitude (degrees north)").fill(f"{lat:.5f}")
    assert marker.bounding_box() != marker_before
    page.get_by_label("What is wrong, and how do you know?").fill(
        "The village is two hundred metres north-east of this point.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    reports = page.get_by_role("region", name="Your reports")
    expect(reports).to_contain_text(re.compile("waiting for the akimat", re.IGNORECASE))
    expect(reports).to_contain_text(f"{lon:.5f}")


@pytest.fixture
def staff_queue(django_db_setup, django_db_blocker, approximate_settlement):
    """A committed akimat officer of the approximate settlement's district, signed in, and a
    committed open report on that settlement by a resident; all removed afterwards."""
    def create():
        areas = actions.home_areas(approximate_settlement)
        officer = StaffRoleFactory(areas=[areas.district]).user
        reporter = UserFactory()
        report = actions.report_position(
            reporter=reporter, settlement=approximate_settlement,
            point=approximate_settlement.geom, comment="The village is by the lake shore.")
        client = Client()
        client.force_login(officer)
        return officer, reporter, report, client.cookies[settings.SESSION_COOKIE_NAME].value

    officer, reporter, report, session = in_database(django_db_blocker, create)
    yield report, session

    def remove():
        SettlementPositionReport.objects.filter(pk=report.pk).delete()
        reporter.delete()
        officer.delete()

    in_database(django_db_blocker, remove)


def test_staff_see_the_report_queue_and_dismiss_a_report(new_page, portal_server, staff_queue):
    report, session = staff_queue
    page = new_page(PHONE)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                               "domain": urlsplit(portal_server).hostname, "path": "/"}])
    page.goto(f"{portal_server}/settlements/reports/")
    item = page.locator("li.report", has_text="The village is by the lake shore.")
    expect(item).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)

    item.get_by_label("Reason for dismissing").fill("The point is already on the shore.")
    with page.expect_navigation():
        item.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("status")).to_contain_text("dismissed")
    expect(page.locator("li.report", has_text="The village is by the lake shore.")
           ).to_have_count(0)
