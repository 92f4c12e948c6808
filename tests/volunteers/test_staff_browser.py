"""An akimat officer in the browser: from their profile to the volunteers' staff desk, pages
through its open requests, finds volunteers for a help request, assigns one, records the help
and confirms it; the desk (with its pager), the matching, upload and nominations pages pass axe
(WCAG 2 A/AA) on a laptop and on a phone and fit a phone's width (Debian's headless Chromium,
a real portal server)."""

import re
import uuid

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from playwright.sync_api import expect

from layers.volunteers.views_staff import DESK_ROWS
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
KOSTANAY = "39"  # no other test of the corps or of the help layer places rows there


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


def _create_world() -> dict:
    from gis_portal.accounts.models import StaffRole
    from layers.areas.actions import home_areas
    from layers.areas.models import Settlement
    from tests.accounts.factories import StaffRoleFactory, UserFactory
    from tests.help.conftest import make

    from .conftest import enter

    settlement = areas = None
    for candidate in (Settlement.objects.filter(kato__startswith=KOSTANAY, geom__isnull=False,
                                                okrug__isnull=False)
                      .exclude(kato__endswith="000").order_by("kato")[:200]):
        areas = home_areas(candidate)
        if areas.district and areas.okrug:
            settlement = candidate
            break
    assert settlement is not None
    tag = uuid.uuid4().hex[:10]
    officer = StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[areas.district],
                               user=UserFactory(username=f"volunteers-officer-{tag}")).user
    # Labour without an amount: no fundraiser to clean up afterwards. A desk page's worth of
    # older requests first, so that the desk pages its requests and this one leads page 1.
    others = [make(officer, 700 + n, settlement, topic="labour", kind="household",
                   amount_needed=None).pk for n in range(DESK_ROWS)]
    help_request = make(officer, 901, settlement, topic="labour", kind="household",
                        amount_needed=None)
    volunteers = [enter(officer, 900 + n, settlement, directions=["care"], travel_km=10,
                        full_name=f"Browser Volunteer {tag} {n}") for n in (1, 2)]
    client = Client()
    client.force_login(officer)
    return {"request": help_request.pk, "others": others,
            "volunteers": [v.pk for v in volunteers],
            "session": client.cookies[settings.SESSION_COOKIE_NAME].value, "tag": tag}


def _remove_world(world: dict) -> None:
    """The committed rows go again, so the other tests' matching and lists never see them.
    Event tables refuse DELETE by trigger: their rows, and the rows that point at the
    volunteers, go in replica mode; the request goes in normal mode, so the help layer's
    count triggers see it leave. The officer's account stays, like other browser tests'."""
    from layers.volunteers.anonymity import rebuild_cards

    volunteers, requests = world["volunteers"], [world["request"], *world["others"]]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, column in [("volunteers_review", "record_id IN (SELECT id FROM "
                               "volunteers_helprecord WHERE volunteer_id = ANY(%s))"),
                              ("volunteers_helprecord", "volunteer_id = ANY(%s)"),
                              ("volunteers_assignment", "volunteer_id = ANY(%s)"),
                              ("volunteers_volunteerevent", "volunteer_id = ANY(%s)"),
                              ("volunteers_contactnotice", "volunteer_id = ANY(%s)"),
                              ("volunteers_directionproposal", "volunteer_id = ANY(%s)"),
                              ("volunteers_volunteercard", "volunteer_id = ANY(%s)"),
                              ("volunteers_volunteer", "id = ANY(%s)")]:
            cursor.execute(f"DELETE FROM {table} WHERE {column}", [volunteers])
        cursor.execute("DELETE FROM help_helpevent WHERE request_id = ANY(%s)", [requests])
        cursor.execute("DELETE FROM help_helphelper WHERE request_id = ANY(%s)", [requests])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM help_helprequest WHERE id = ANY(%s)", [requests])
    rebuild_cards()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    created = in_database(django_db_blocker, _create_world)
    yield created
    in_database(django_db_blocker, lambda: _remove_world(created))


@pytest.mark.django_db
def test_the_journey_starts_from_rows_the_server_can_see(world):
    from layers.volunteers import matching

    found = [pk for pk, _distance in matching.volunteers_for_request(world["request"])]
    assert set(world["volunteers"]) <= set(found)


@pytest.mark.browser
def test_officer_finds_assigns_records_and_confirms_help(browser, portal_server, world,
                                                         django_db_blocker):
    context = browser.new_context(locale="en-US", viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": "en", "url": portal_server},
                         {"name": settings.SESSION_COOKIE_NAME, "value": world["session"],
                          "url": portal_server}])
    outside = refuse_other_hosts(context)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))

    def fits_and_passes_axe():
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_no_axe_violations(page)
        page.set_viewport_size(LAPTOP)
        assert_no_axe_violations(page)
        page.set_viewport_size(PHONE)

    request_id, volunteer_id = world["request"], world["volunteers"][0]
    page.goto(f"{portal_server}/accounts/profile/")
    page.get_by_role("link", name="Volunteers: staff desk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers: staff desk")
    fits_and_passes_axe()

    # The open requests come a page at a time; the pager is a labelled navigation.
    pager = page.get_by_role("navigation", name="Open help requests of your areas pages")
    expect(pager).to_contain_text(f"Showing 1–{DESK_ROWS} of {DESK_ROWS + 1}")
    pager.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"/volunteers/staff/\?requests_page=2$"))
    expect(pager).to_contain_text(f"Showing {DESK_ROWS + 1}–{DESK_ROWS + 1} of {DESK_ROWS + 1}")
    expect(page.get_by_role("link", name=f"Find volunteers for request #{world['others'][0]}")
           ).to_be_visible()
    fits_and_passes_axe()
    pager.get_by_role("link", name="Previous page").click()
    expect(page).to_have_url(re.compile(r"/volunteers/staff/\?requests_page=1$"))

    page.get_by_role("link", name=f"Find volunteers for request #{request_id}").click()
    expect(page).to_have_url(re.compile(rf"/volunteers/staff/requests/{request_id}/match/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Volunteers for request #{request_id}")
    match = page.locator(".vol-match").filter(
        has=page.get_by_role("heading", name=f"Volunteer #{volunteer_id}", exact=True))
    expect(match).to_contain_text("travels up to 10 km")
    assert world["tag"] not in page.content()  # names stay behind the reveal gate
    fits_and_passes_axe()

    # The keyboard alone assigns.
    match.get_by_role("button", name=f"Assign volunteer #{volunteer_id}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        f"Volunteer #{volunteer_id} is offered request #{request_id}")
    expect(match).to_contain_text("Assigned already (offered)")

    page.get_by_role("link", name="Back to the staff desk").click()
    assignment = page.locator(".vol-assignment").filter(
        has_text=f"Volunteer #{volunteer_id} · request #{request_id}")
    expect(assignment).to_contain_text("pending: waiting for the volunteer's answer")
    expect(assignment.get_by_label("Date of help")).to_be_visible()
    assignment.get_by_role("button", name="Record the help").click()
    expect(page.get_by_role("status")).to_contain_text("is recorded; confirm it next")

    waiting = page.locator(".vol-record").filter(
        has_text=f"Volunteer #{volunteer_id} · request #{request_id}")
    expect(waiting).to_have_count(1)
    fits_and_passes_axe()
    waiting.get_by_label("Confirmed through").select_option("person")
    waiting.get_by_role("button", name="Confirm the help").click()
    expect(page.get_by_role("status")).to_contain_text("is confirmed")
    expect(page.locator(".vol-record").filter(
        has_text=f"Volunteer #{volunteer_id} · request #{request_id}")).to_have_count(0)
    expect(page.locator(".vol-to-review").filter(
        has_text=f"Volunteer #{volunteer_id} · request #{request_id}")).to_have_count(1)

    def stored():
        from layers.volunteers.models import Assignment, HelpRecord

        record = HelpRecord.objects.get(request_id=request_id, volunteer_id=volunteer_id)
        return (Assignment.objects.filter(request_id=request_id).count(),
                record.confirmed_via, record.confirmed_at is not None)

    assert in_database(django_db_blocker, stored) == (1, "person", True)

    # The other staff pages: the upload of a list and the nominations' counts.
    page.get_by_role("link", name="Upload a list of volunteers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a list of volunteers")
    fits_and_passes_axe()
    page.get_by_role("link", name="Nominations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nominations of volunteers")
    expect(page.locator(".vol-most-active")).to_contain_text(
        f"Volunteer #{volunteer_id}: 1 person helped")
    fits_and_passes_axe()
    context.close()
    assert outside == [] and errors == [], (outside, errors)
