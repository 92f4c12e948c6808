"""Every page of the portal in Kazakh (its default language), on a laptop and at a phone's
width, passes axe's WCAG 2 A/AA rules under the portal's Content-Security-Policy: the map,
sign-in, sign-up, password reset, the profile and the EDS page signed in, and the in-person
confirmation form as a public service centre operator."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gis_portal.accounts.models import StaffRole
from layers.areas.models import AdminArea
from tests.accounts.factories import StaffRoleFactory, UserFactory
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

# django_db makes a targeted run set up the test database; the browser starts per test, after
# that (the database helper touches the connection in the main thread, where Playwright's loop
# would forbid it), and the accounts the server must see are committed from a thread.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
# (page, path, who is signed in)
PAGES = [
    ("map", "/", None),
    ("sign-in", "/accounts/login/", None),
    ("sign-up", "/accounts/signup/", None),
    ("password-reset", "/accounts/password/reset/", None),
    ("profile", "/accounts/profile/", "resident"),
    ("eds", "/identity/eds/", "resident"),
    ("in-person", "/identity/in-person/", "operator"),
]



@pytest.fixture(scope="module")
def sessions(django_db_setup, django_db_blocker):
    """Session cookies of a committed resident and a public service centre operator; both
    accounts are removed afterwards."""
    def create():
        resident = UserFactory(username=f"a11y-resident-{uuid.uuid4().hex[:8]}")
        operator_role = StaffRoleFactory(
            user=UserFactory(username=f"a11y-operator-{uuid.uuid4().hex[:8]}"),
            kind=StaffRole.Kind.SERVICE_CENTRE_OPERATOR,
            areas=[AdminArea.objects.get(generation__is_current=True, kato="750000000")])
        cookies = {}
        for who, user in (("resident", resident), ("operator", operator_role.user)):
            client = Client()
            client.force_login(user)
            cookies[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return [resident, operator_role.user], cookies

    users, cookies = in_database(django_db_blocker, create)
    yield cookies

    def remove():
        for user in users:
            user.delete()

    in_database(django_db_blocker, remove)


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name, path, who", PAGES, ids=[page[0] for page in PAGES])
def test_page_has_no_accessibility_violations(browser, portal_server, sessions, name, path,
                                              who, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    if who:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": sessions[who],
                              "url": portal_server}])
    outside = refuse_other_hosts(context)
    errors, refused = [], []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        response = page.goto(f"{portal_server}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        assert page.url == f"{portal_server}{path}", "redirected: not signed in?"
        expect(page.locator("html")).to_have_attribute("lang", "kk")
        if name == "map":  # the map script has run and filled the panel (folded on a phone)
            expect(page.locator("[data-area-list] button").first).to_be_attached(timeout=15_000)
        assert_no_axe_violations(page)
    finally:
        context.close()
    assert outside == [], f"the page asked other hosts: {outside}"
    assert errors == [], f"script errors: {errors}"
    assert refused == [], f"refused by the Content-Security-Policy: {refused}"
