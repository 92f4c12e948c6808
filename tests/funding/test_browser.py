"""Pooled funding in the browser: a donor pledges on a fundraiser's page with the keyboard and
sees the progress change in place (no reload), is told how much remains when asking too much,
finds the pledge on "my pledges"; an officer confirms it from the queue with the keyboard.
Every page passes axe at 1280 px and on a phone (375 px)."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gis_portal.accounts.models import StaffRole
from gis_portal.funding.models import Pledge
from tests.accounts.factories import StaffRoleFactory
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import launched_chromium, refuse_other_hosts

from .committed import CommittedFunding

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    rows = CommittedFunding(django_db_blocker)
    yield rows
    rows.remove()


@pytest.fixture
def new_page(browser, portal_server):
    """An English page signed in with `session`; afterwards: no request left 127.0.0.1, no
    script error, nothing blocked by the Content-Security-Policy."""
    opened = []

    def open_page(session, viewport=None):
        context = browser.new_context(locale="en-US",
                                      viewport=viewport or {"width": 1280, "height": 800})
        context.add_cookies([
            {"name": "django_language", "value": "en", "url": portal_server},
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": portal_server}])
        outside = refuse_other_hosts(context)
        errors, blocked = [], []
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
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


def session_of(committed, user) -> str:
    def sign_in():
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return committed.run(sign_in)


def test_a_donor_pledges_and_an_officer_confirms(committed, new_page, portal_server):
    fundraiser = committed.fundraiser("1000.00")
    donor, officer = committed.users(2)
    committed.run(lambda: StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, user=officer,
                                           areas=[fundraiser.area]))
    url = f"{portal_server}/funding/{fundraiser.pk}/"

    page = new_page(session_of(committed, donor))
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fundraiser")
    assert_no_axe_violations(page)
    page.evaluate("window.notReloaded = true")
    pledged_bar = page.get_by_role("progressbar", name="Pledged")
    expect(pledged_bar).to_have_attribute("value", "0.00")

    # Too much: the refusal says how much remains, next to the field, without a reload.
    amount = page.get_by_label("Amount, ₸")
    amount.focus()
    page.keyboard.type("5000")
    page.keyboard.press("Enter")
    error = page.get_by_role("alert")
    expect(error).to_contain_text("Only 1,000.00 ₸ remains")
    expect(amount).to_have_attribute("aria-invalid", "true")

    amount.fill("")
    page.keyboard.type("250,50")
    page.get_by_label("List me as an anonymous donor").check()
    page.get_by_role("button", name="Pledge").press("Enter")
    expect(page.locator("[data-funding-status]")).to_contain_text("you pledged 250.50 ₸")
    progress = page.locator("[data-funding-progress]")
    expect(progress.locator("[data-funding-value=pledged]")).to_have_text("250.50 ₸")
    expect(progress.locator("[data-funding-value=remaining]")).to_have_text("749.50 ₸")
    expect(pledged_bar).to_have_js_property("value", 250.5)
    expect(page.locator("label[for$=pledged-bar]")).to_contain_text("25.0")
    assert page.evaluate("window.notReloaded") is True
    assert_no_axe_violations(page)

    phone = new_page(session_of(committed, donor), PHONE)
    phone.goto(url)
    expect(phone.locator("[data-funding-value=pledged]").first).to_have_text("250.50 ₸")
    assert_no_axe_violations(phone)
    phone.goto(f"{portal_server}/funding/my/")
    expect(phone.get_by_role("cell", name="250.50 ₸")).to_be_visible()
    assert_no_axe_violations(phone)

    staff = new_page(session_of(committed, officer))
    staff.goto(f"{portal_server}/funding/pledges/")
    assert_no_axe_violations(staff)
    confirm = staff.get_by_role("button", name="Confirm: the money arrived")
    expect(confirm).to_have_count(1)
    confirm.focus()
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("status")).to_contain_text("confirmed")
    expect(staff.get_by_text("No pledges await the money in your areas.")).to_be_visible()
    staff.set_viewport_size(PHONE)
    assert_no_axe_violations(staff)
    statuses = committed.run(lambda: list(Pledge.objects.filter(fundraiser_id=fundraiser.pk)
                                          .values_list("status", "amount", "anonymous")))
    assert [(s, str(a), anon) for s, a, anon in statuses] == [("confirmed", "250.50", True)]
