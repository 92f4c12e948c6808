"""The step-up page and the in-person code page in Debian's headless Chromium against a real
portal server: the EDS step-up signs a reveal challenge naming the target through a local
NCALayer stand-in and goes back where the user came from; the password step-up; the one-time
code; each page on a phone-width screen and free of WCAG 2 AA violations."""

import base64
import re
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from gis_portal.identity.models import IdentityAuditEntry, InPersonCode
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import refuse_other_hosts

pytestmark = pytest.mark.browser
TARGET = "help-request:5"
PHONE = {"width": 375, "height": 740}



def open_page(browser, portal, users, path):
    user, session = users.create()
    host = urlsplit(portal).hostname
    context = browser.new_context(locale="en-US", viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"},
                         {"name": "django_language", "value": "en", "domain": host,
                          "path": "/"}])
    outside = refuse_other_hosts(context)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(f"{portal}{path}")
    assert response.status == 200
    return user, page, lambda: (context.close(), outside, errors)


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def finish(close):
    _, outside, errors = close()
    assert outside == [] and errors == [], (outside, errors)


def test_the_eds_step_up_names_the_target_and_goes_back(browser, portal, users, stand_in):
    stand_in.requests.clear()
    path = f"/identity/step-up/?target={quote(TARGET)}&next=/accounts/profile/"
    user, page, close = open_page(browser, portal, users, path)
    fits_the_phone(page)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Sign with NCALayer").click()
    page.wait_for_url(f"{portal}/accounts/profile/", timeout=20_000)
    (request,) = stand_in.requests
    signed = base64.b64decode(request["args"]["data"])
    assert b"\nPurpose: reveal_contacts\n" in signed and f"\nTarget: {TARGET}\n".encode() in signed
    step = users.run(lambda: IdentityAuditEntry.objects.get(actor=user, event="step_up"))
    assert (step.detail, step.target) == ("eds", TARGET)
    finish(close)


def test_the_password_step_up(browser, portal, users):
    user, page, close = open_page(browser, portal, users,
                                  f"/identity/step-up/?target={quote(TARGET)}")
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Confirm with password").click()
    expect(page.get_by_text("This is not your password")).to_be_visible()
    page.get_by_label("Your password").fill("a-long-test-password")
    page.get_by_role("button", name="Confirm with password").click()
    expect(page.get_by_text("Thank you. You can see contacts until")).to_be_visible()
    expect(page.get_by_text("You can see these contacts until")).to_be_visible()
    assert_no_axe_violations(page)
    assert users.run(lambda: IdentityAuditEntry.objects.filter(
        actor=user, event="step_up", detail="password").count()) == 1
    finish(close)


def test_the_user_gets_a_one_time_code(browser, portal, users):
    user, page, close = open_page(browser, portal, users, "/identity/in-person/code/")
    fits_the_phone(page)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Get a code").click()
    code = page.locator("[data-in-person-code]")
    expect(code).to_have_text(re.compile(r"^\d{8}$"))
    assert users.run(lambda: InPersonCode.objects.filter(user=user).count()) == 1
    assert_no_axe_violations(page)
    finish(close)
