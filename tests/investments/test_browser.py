"""The planner's gaps page and a project's page in a real browser, at 1280 px and on a 375 px
phone: the map draws the villages found, the sample label shows, an investor registers
interest, and axe finds no WCAG 2 A/AA violation."""

import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from layers.areas.models import Settlement
from layers.investments.models import InvestmentProject, InvestorInterest, SettlementEmployment
from tests.accounts.factories import StaffRoleFactory, UserFactory
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ZHAMBYL = "310000000"
SOURCE = "browser test: sample values"
VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 375, "height": 740}]


# Per test: the browser's loop must start after the django_db set-up of the test.
@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.fixture(scope="module")
def committed(django_db_setup, django_db_blocker):
    """Committed sample figures of three Zhambyl villages (no project there), a contract
    project and a signed-in investor's session; all removed afterwards."""
    def create():
        villages = list(Settlement.objects.filter(kato__startswith="31", geom__isnull=False)
                        .exclude(kato__endswith="0000").order_by("kato")[:3])
        for n, village in enumerate(villages):
            SettlementEmployment.objects.create(
                settlement=village, year=2024, working_age_population=900, employed=700,
                unemployed=200 - n * 20, unemployment_rate=Decimal(22 - n * 3),
                source=SOURCE, is_sample=True)
        project = InvestmentProject.objects.filter(
            reference__startswith="contract-",
            status__in=InvestmentProject.OPEN_FOR_INTEREST).order_by("pk").first()
        # A name of its own: committed rows must not collide with the factory's sequence.
        investor = UserFactory(username=f"invest-browser-{uuid.uuid4().hex[:8]}")
        client = Client()
        client.force_login(investor)
        staff = StaffRoleFactory(user=UserFactory(username=f"invest-staff-{uuid.uuid4().hex[:8]}"),
                                 areas=[project.oblast]).user
        staff_client = Client()
        staff_client.force_login(staff)
        return (villages, project, investor, client.cookies[settings.SESSION_COOKIE_NAME].value,
                staff, staff_client.cookies[settings.SESSION_COOKIE_NAME].value)

    villages, project, investor, session, staff, staff_session = in_database(
        django_db_blocker, create)
    yield villages, project, session, staff_session

    def remove():
        from django.db import connection

        SettlementEmployment.objects.filter(source=SOURCE).delete()
        InvestorInterest.objects.filter(investor=investor).delete()
        # The audit is append-only for the portal; the test removes its own row directly.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM investments_investmentevent WHERE actor_id = %s",
                           [investor.pk])
        investor.delete()
        staff.delete()

    in_database(django_db_blocker, remove)


def open_page(browser, portal_server, viewport, session=None):
    context = browser.new_context(locale="en-US", viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": "en", "url": portal_server}])
    if session:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                              "domain": urlsplit(portal_server).hostname, "path": "/"}])
    outside = refuse_other_hosts(context)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    return context, page, outside, errors


def test_the_gaps_page_and_a_project_page(browser, portal_server, committed):
    villages, project, session, _staff_session = committed
    for viewport in VIEWPORTS:
        context, page, outside, errors = open_page(browser, portal_server, viewport)
        page.goto(f"{portal_server}/investments/gaps/?area={ZHAMBYL}&min_rate=15&within_km=5")
        rows = page.locator("[data-gaps] tbody tr")
        expect(rows).to_have_count(3)
        assert rows.first.get_attribute("data-kato") == villages[0].kato
        expect(page.locator("[data-sample-note]")).to_contain_text(
            "sample values, not official statistics")
        expect(page.locator("#gaps-map[data-features-drawn='3']")).to_be_attached(
            timeout=15_000)
        expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert_no_axe_violations(page)

        page.goto(f"{portal_server}/investments/{project.pk}/")
        expect(page.locator("h1")).to_contain_text("Test investment project")
        expect(page.locator("#project-map[data-features-drawn='1']")).to_be_attached(
            timeout=15_000)
        expect(page.get_by_role("link", name="Sign in to register your interest as an "
                                            "investor")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert_no_axe_violations(page)
        context.close()
        assert outside == [] and errors == []

    # An investor on a phone registers interest with the keyboard.
    context, page, outside, errors = open_page(browser, portal_server, VIEWPORTS[1], session)
    page.goto(f"{portal_server}/investments/{project.pk}/")
    field = page.get_by_label("Your message to the akimat")
    field.focus()
    page.keyboard.type("We process milk in three districts and could invest 40 million.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    expect(page.locator("main")).to_contain_text("You registered your interest")
    assert_no_axe_violations(page)
    context.close()
    assert outside == [] and errors == []


def test_the_staff_pages_and_the_list_on_a_phone(browser, portal_server, committed):
    _villages, project, _session, staff_session = committed
    context, page, outside, errors = open_page(browser, portal_server, VIEWPORTS[1],
                                               staff_session)
    for path in ("/investments/", "/investments/new/", "/investments/import/",
                 f"/investments/{project.pk}/"):
        page.goto(f"{portal_server}{path}")
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[1]["width"]
        assert_no_axe_violations(page)
    expect(page.get_by_role("heading", name="For the akimat staff")).to_be_visible()
    context.close()
    assert outside == [] and errors == []
