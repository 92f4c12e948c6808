"""The account pages in Chromium on a phone-width screen, against the running portal: labelled
fields, errors tied to their inputs and announced, the lockout page; every page passes axe."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

from .factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
PHONE_SCREEN = {"width": 390, "height": 844}
PASSWORD = "steppe-wind-2026"



@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.fixture
def page(browser, portal_server):
    context = browser.new_context(locale="en-US", viewport=PHONE_SCREEN)
    context.add_cookies([{"name": "django_language", "value": "en", "url": portal_server}])
    outside = refuse_other_hosts(context)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert outside == [], f"the page asked other hosts: {outside}"
    assert errors == [], f"script errors: {errors}"


@pytest.fixture
def signed_in(django_db_setup, django_db_blocker, portal_server):
    """A committed account and a signed-in session cookie of it; removed afterwards."""
    def create():
        user = UserFactory(username=f"page-{uuid.uuid4().hex[:10]}@example.kz",
                           password=PASSWORD)
        user.email = user.username
        user.save()
        client = Client()
        client.force_login(user)
        return user, client.cookies[settings.SESSION_COOKIE_NAME].value

    user, session = in_database(django_db_blocker, create)
    yield session
    in_database(django_db_blocker, user.delete)


def test_sign_up_errors_are_tied_to_their_fields(page, portal_server):
    page.goto(f"{portal_server}/accounts/signup/")
    assert_no_axe_violations(page)
    page.get_by_label("E-mail").fill("someone@example.kz")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill("something-else-2026")
    page.get_by_role("button", name="Create account").click()
    again = page.get_by_label("Password again")
    expect(again).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#" + again.get_attribute("aria-describedby"))).to_have_text(
        "The two passwords differ.")
    expect(page.get_by_role("alert")).to_contain_text("The two passwords differ.")
    assert_no_axe_violations(page)


def test_profile_forms_ask_for_the_current_password(page, portal_server, signed_in):
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": signed_in,
                               "url": portal_server}])
    page.goto(f"{portal_server}/accounts/profile/")
    expect(page.get_by_role("heading", name="E-mail and phone you sign in with")).to_be_visible()
    assert_no_axe_violations(page)
    contact = page.locator("form", has=page.get_by_role("button", name="Change e-mail or phone"))
    contact.get_by_label("E-mail").fill("elsewhere@example.kz")
    contact.get_by_label("Current password").fill("not-my-password")
    contact.get_by_role("button", name="Change e-mail or phone").click()
    current = page.locator("#id_contact-current_password")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("This is not your current password")
    assert_no_axe_violations(page)


def test_the_lockout_page_says_when_to_retry(page, portal_server):
    identifier = f"+7 70{uuid.uuid4().int % 10**8:08d}"  # no account, fresh each run
    page.goto(f"{portal_server}/accounts/login/")
    for _ in range(5):
        page.get_by_label("E-mail or phone").fill(identifier)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Try again in 15 minutes, after")
    assert_no_axe_violations(page)
