"""A resident on a phone filters the map of people who need help by rural okrug and kind of
help, opens a request from the map and, pressing "I want to help", is sent to confirm their
identity before any contact is shown (Debian's headless Chromium, a real portal server, axe)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from layers.help.models import HelpRequest
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import launched_chromium, refuse_other_hosts

PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.fixture(scope="module")
def users(django_db_blocker):
    from tests.identity.eds_portal import CommittedUsers

    committed = CommittedUsers(django_db_blocker)
    yield committed
    committed.remove()


def published_request_in_an_okrug():
    help_request = (HelpRequest.objects.filter(is_published=True, status="open",
                                               okrug__isnull=False)
                    .select_related("okrug").order_by("pk").first())
    return {"pk": help_request.pk, "kind": help_request.kind_id, "okrug": help_request.okrug.kato,
            "lon": help_request.geom.x, "lat": help_request.geom.y,
            "name": help_request.full_name, "phone": help_request.phone}


@pytest.mark.django_db
def test_contract_rows_hold_a_published_request_in_an_okrug():
    assert published_request_in_an_okrug()["okrug"]


@pytest.mark.browser
def test_resident_filters_opens_a_request_and_is_sent_to_confirm(browser, portal_server, users):
    target = users.run(published_request_in_an_okrug)
    _user, session = users.create()
    host = urlsplit(portal_server).hostname
    context = browser.new_context(locale="en-US", viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"},
                         {"name": "django_language", "value": "en", "domain": host,
                          "path": "/"}])
    outside = refuse_other_hosts(context)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    seen = []
    page.on("response", lambda response: seen.append(response))

    page.goto(f"{portal_server}/#map=14/{target['lat']:.5f}/{target['lon']:.5f}"
              f"&layers=areas,help-requests&area={target['okrug']}")
    page.get_by_role("button", name="Areas, layers and filters").click()
    layer = page.locator("#layer-help-requests")
    expect(layer).to_be_checked(timeout=15_000)
    kind = page.locator("#filter-help-requests-kind")
    page.locator("details.layer-filters", has=kind).locator("summary").click()
    with page.expect_request(re.compile(
            rf"/tiles/help-requests/14/\d+/\d+\.mvt\?.*kind={target['kind']}")) as tile:
        kind.select_option(target["kind"])
    assert f"area={target['okrug']}" in tile.value.url
    page.wait_for_url(re.compile(rf"f\.help-requests\.kind={target['kind']}"))
    page.get_by_role("button", name="Areas, layers and filters").click()
    # The phone's drawer slides away (0.2 s): a click before it has gone lands on the drawer.
    expect(page.locator("#sidebar")).to_be_hidden()

    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    link = page.locator(f".lookup-popup a[href='/help/{target['pk']}/']")
    expect(link).to_be_visible(timeout=15_000)
    link.click()
    page.wait_for_url(f"{portal_server}/help/{target['pk']}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)

    page.get_by_role("button", name="I want to help").click()
    page.wait_for_url(f"{portal_server}/identity/eds/")
    expect(page.locator(".messages")).to_contain_text("Confirm your identity")
    assert_no_axe_violations(page)
    # Nothing the browser received held the person's name or phone.
    for response in seen:
        if response.request.resource_type in ("document", "fetch", "xhr"):
            try:
                text = response.text()
            except Exception:  # redirects and aborted requests have no body
                continue
            assert target["name"] not in text and target["phone"] not in text, response.url
    context.close()
    assert outside == [] and errors == [], (outside, errors)
