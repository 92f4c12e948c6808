"""A monument's page in the browser: read on a phone (375 px) and a desktop, the approximate
position said in words, a resident reports the condition with the keyboard, and the staff's
queue; every page passes axe."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.test import Client
from playwright.sync_api import expect

from gis_portal.accounts.models import StaffRole
from gis_portal.photos.actions import add_photo
from gis_portal.photos.drawing import drawn_photo
from layers.areas.models import AdminArea
from layers.heritage import actions
from layers.heritage.models import ConditionReport, Monument
from tests.accounts.factories import StaffRoleFactory, UserFactory
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def browser():
    # Per test: the browser's event loop starts after the test's database setup.
    yield from launched_chromium()


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """Committed: a monument in Almaty with a photo and a handled report, a resident and a
    culture officer of Almaty with their session cookies; all removed afterwards."""
    def create():
        monument = Monument.objects.create(
            name_kk="Браузер кесенесі", name_ru="Мавзолей для браузера",
            name_en="Browser test mausoleum", kind="architecture", significance="republican",
            era="medieval", geom=Point(76.95, 43.24, srid=4326), position_approximate=True,
            description_kk="Ортағасырлық кесене.", description_en="A medieval mausoleum.",
            visiting_en="Open daily from 9 to 18.")
        officer = StaffRoleFactory(kind=StaffRole.Kind.CULTURE_OFFICER, areas=[
            AdminArea.objects.get(generation__is_current=True, kato="750000000")]).user
        add_photo(user=officer, target=monument, upload=drawn_photo("Mausoleum", 7),
                  caption="The portal from the south", purpose="main")
        resident = UserFactory()
        earlier = actions.report_condition(user=resident, monument=monument, kind="litter",
                                           comment="Bottles by the gate.")
        actions.handle_report(user=officer, report=earlier, status="resolved",
                              note="Cleaned the next morning.")
        sessions = {}
        for name, user in (("resident", resident), ("officer", officer)):
            client = Client()
            client.force_login(user)
            sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return monument, resident, officer, sessions

    monument, resident, officer, sessions = in_database(django_db_blocker, create)
    yield monument, sessions

    def remove():
        from gis_portal.photos.actions import photos_of, remove_photo

        for photo in photos_of(monument):
            remove_photo(user=None, photo=photo)
        ConditionReport.objects.filter(monument=monument).delete()
        Monument.objects.filter(pk=monument.pk).delete()
        resident.delete()
        StaffRole.objects.filter(user=officer).delete()
        officer.delete()

    in_database(django_db_blocker, remove)


@pytest.fixture
def open_page(browser, portal_server):
    opened = []

    def open_(viewport, session=None):
        context = browser.new_context(locale="en-US", viewport=viewport)
        context.add_cookies([{"name": "django_language", "value": "en", "url": portal_server}])
        if session:
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                                  "domain": urlsplit(portal_server).hostname, "path": "/"}])
        outside = refuse_other_hosts(context)
        errors = []
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text)
                if "Content Security Policy" in message.text else None)
        opened.append((context, outside, errors))
        return page

    yield open_
    for context, outside, errors in opened:
        context.close()
        assert outside == [] and errors == [], (outside, errors)


def test_a_monument_page_on_a_phone_and_a_report_by_keyboard(open_page, portal_server, scene):
    monument, sessions = scene
    url = f"{portal_server}/heritage/monuments/{monument.pk}/"

    page = open_page(DESKTOP)
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Browser test mausoleum")
    assert_no_axe_violations(page)

    page = open_page(PHONE, sessions["resident"])
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Browser test mausoleum")
    expect(page.locator("[data-approximate-note]")).to_contain_text("approximate")
    expect(page.locator(".photo-gallery img")).to_have_count(1)
    expect(page.locator("[data-condition-reports]")).to_contain_text("Cleaned the next morning.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)

    # The report form, by keyboard only.
    page.get_by_label("What is wrong?").focus()
    page.keyboard.press("ArrowDown")  # damage → litter
    page.keyboard.press("Tab")
    page.keyboard.type("Graffiti on the west wall.")
    page.get_by_role("button", name="Send the report").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    expect(page.locator("[data-report]")).to_have_count(2)  # the public list: both reports
    expect(page.locator("[data-report]").first).to_contain_text("Received")
    expect(page.locator("[data-condition-reports]")).to_contain_text(
        "Graffiti on the west wall.")  # the resident's own list
    assert_no_axe_violations(page)

    # The area's culture officer finds it in the queue, on the phone too.
    page = open_page(PHONE, sessions["officer"])
    page.goto(f"{portal_server}/heritage/reports/")
    item = page.locator("li.report", has_text="Graffiti on the west wall.")
    expect(item).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)


def test_a_park_page_on_a_phone_lists_its_sights(open_page, portal_server, django_db_blocker):
    from layers.heritage.models import NaturalSite

    park = in_database(django_db_blocker, lambda: NaturalSite.objects.get(
        source_key="kz_protected_areas_osm:charyn"))
    page = open_page(PHONE)
    page.goto(f"{portal_server}/heritage/nature/{park.pk}/")
    expect(page.locator("h1")).to_have_text("Charyn National Park")
    expect(page.locator("[data-sights]")).to_contain_text("Charyn Canyon")
    expect(page.locator("[data-attribution]")).to_contain_text("ODbL 1.0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)
