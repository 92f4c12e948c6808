"""Social projects in the browser: a resident finds a project on the map, opens its page from
the popup, pledges and sees the progress change; the project page and the staff's pages pass
axe (WCAG 2 A/AA) on a laptop and on a phone, and the pledge form works with the keyboard."""

import re
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gis_portal.accounts.models import StaffRole
from tests.accounts.factories import StaffRoleFactory, UserFactory
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def browser():
    yield from launched_chromium()


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def world(django_db_setup, django_db_blocker):
    """Committed rows the server process can see: a published project and one in progress
    at a village of Almaty oblast, the district's officer and a resident, signed in."""
    from gis_portal.funding import actions as funding
    from layers.areas.actions import home_areas
    from layers.areas.models import Settlement
    from layers.projects import actions
    from layers.projects.actions import LineInput, ProjectInput
    from layers.projects.models import SocialProject

    def create():
        settlement = None
        for candidate in (Settlement.objects.filter(kato__startswith="19",
                                                    position_source="osm",
                                                    okrug__isnull=False)
                          .exclude(kato__endswith="000").order_by("-kato")[:200]):
            areas = home_areas(candidate)
            if (areas.district and areas.okrug and areas.boundary and not
                    SocialProject.objects.filter(settlement=candidate).exists()):
                settlement = candidate
                break
        assert settlement is not None
        # Committed accounts outlive the run: names of their own, never a factory sequence's.
        tag = uuid.uuid4().hex[:10]
        officer = StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[areas.district],
                                   user=UserFactory(username=f"projects-officer-{tag}")).user
        resident = UserFactory(username=f"projects-resident-{tag}", first_name="Dana",
                               last_name="Resident")

        def project(title, **extra):
            return actions.create_project(user=officer, data=ProjectInput(
                kind="provision", title_kk=title, title_ru=title, title_en=title,
                organisation="Browser NGO", settlement=settlement,
                lines=[LineInput("Laptop", "4", "pcs", "250000")], **extra))

        shown = project("Browser test laptops")
        actions.publish_project(user=officer, project=shown)
        working = project("Browser test works",
                          point=settlement.geom.clone())
        actions.publish_project(user=officer, project=working)
        pledge = funding.pledge(user=resident, fundraiser=funding.fundraiser_for(working),
                                amount=None)
        funding.confirm_pledge(user=officer, pledge=pledge)
        actions.start_project(user=officer, project=working)
        return {"project": shown, "working": working, "officer": _session(officer),
                "resident": _session(resident)}

    return in_database(django_db_blocker, create)


@pytest.fixture
def open_page(browser, portal_server):
    opened = []

    def open_(session=None, viewport=LAPTOP):
        context = browser.new_context(locale="en-US", viewport=viewport)
        cookies = [{"name": "django_language", "value": "en", "url": portal_server}]
        if session:
            cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session,
                            "url": portal_server})
        context.add_cookies(cookies)
        outside = refuse_other_hosts(context)
        errors = []
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        opened.append((context, outside, errors))
        return page

    yield open_
    for context, outside, errors in opened:
        context.close()
        assert outside == [], f"the page asked other hosts: {outside}"
        assert errors == [], f"script errors: {errors}"


def test_a_resident_finds_a_project_on_the_map_and_pledges(open_page, portal_server, world,
                                                            django_db_blocker):
    project = world["project"]
    page = open_page(world["resident"])
    lon, lat = project.geom.x, project.geom.y
    page.goto(f"{portal_server}/#map=16/{lat:.6f}/{lon:.6f}&layers=projects")
    expect(page.locator("#map .leaflet-tile-pane canvas").first).to_be_attached(timeout=15_000)
    page.wait_for_timeout(500)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".lookup-popup")
    link = popup.get_by_role("link", name="Browser test laptops")
    expect(link).to_be_visible(timeout=15_000)
    link.click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser test laptops")
    pledged = page.locator('.funding-figures [data-funding-value="pledged"]')
    before = pledged.inner_text()
    # The keyboard alone: the amount field, then the button.
    amount = page.get_by_label("Amount, ₸")
    amount.focus()
    page.keyboard.type("150000")
    page.get_by_role("button", name="Pledge").focus()
    page.keyboard.press("Enter")
    expect(pledged).not_to_have_text(before, timeout=15_000)
    expect(pledged).to_contain_text("150")

    def pledged_total():
        from layers.projects.models import SocialProject

        return SocialProject.objects.get(pk=project.pk).pledged

    assert in_database(django_db_blocker, pledged_total) == Decimal("150000.00")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_project_and_staff_pages_pass_axe(open_page, portal_server, world, viewport):
    public = open_page(viewport=viewport)
    public.goto(f"{portal_server}/projects/{world['project'].pk}/")
    expect(public.get_by_role("heading", level=1)).to_be_visible()
    assert public.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert_no_axe_violations(public)
    staff = open_page(world["officer"], viewport=viewport)
    for path in (f"/projects/{world['project'].pk}/", f"/projects/{world['project'].pk}/edit/",
                 f"/projects/{world['working'].pk}/report/", "/projects/new/",
                 "/projects/staff/", "/projects/import/"):
        staff.goto(f"{portal_server}{path}")
        expect(staff.get_by_role("heading", level=1)).to_be_visible()
        assert_no_axe_violations(staff)
