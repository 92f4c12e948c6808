"""A resident on a phone filters the anonymised list of volunteers by direction and hours
with the keyboard-usable form and sees only matching cards, no names (Debian's headless
Chromium, a real portal server, axe at 375 and 1280 px)."""

from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from playwright.sync_api import expect

from tests.support.axe import assert_no_axe_violations
from tests.support.browser import launched_chromium, refuse_other_hosts

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
ALMATY = "750000000"


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.fixture(scope="module")
def users(django_db_blocker):
    from tests.identity.eds_portal import CommittedUsers

    committed = CommittedUsers(django_db_blocker)
    yield committed
    committed.remove()


def expected_counts():
    """Cards of Almaty city in the committed contract data, all and filtered."""
    from layers.volunteers.filters import VolunteerCardFilterSet
    from layers.volunteers.models import VolunteerCard

    cards = VolunteerCard.objects.filter(oblast__kato=ALMATY)
    query = QueryDict("direction=transport&hour_from=9&hour_to=12")
    filtered = VolunteerCardFilterSet(query, queryset=cards)
    assert filtered.is_valid()
    return cards.count(), filtered.qs.count()


@pytest.mark.django_db
def test_contract_rows_list_volunteers_in_almaty():
    total, filtered = expected_counts()
    assert total >= 5 and 0 < filtered < total


@pytest.mark.browser
def test_resident_filters_the_list_by_direction_and_hours(browser, portal_server, users):
    total, filtered = users.run(expected_counts)
    host = urlsplit(portal_server).hostname
    context = browser.new_context(locale="en-US", viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": "en", "domain": host,
                          "path": "/"}])
    outside = refuse_other_hosts(context)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{portal_server}/volunteers/?area={ALMATY}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers")
    expect(page.locator(".vol-card")).to_have_count(total)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)

    page.get_by_role("checkbox", name="Free transport of people").check()
    page.get_by_label("Available from (hour)").fill("9")
    page.get_by_label("Available until (hour)").fill("12")
    page.get_by_label("Available until (hour)").press("Enter")
    page.wait_for_url("**direction=transport**")
    expect(page.locator(".vol-card")).to_have_count(filtered)
    for text in page.locator(".vol-directions").all_inner_texts():
        assert "Free transport of people" in text
    assert "Demo Volunteer" not in page.content()
    assert page.get_by_role("checkbox", name="Free transport of people").is_checked()
    assert_no_axe_violations(page)
    page.set_viewport_size(DESKTOP)
    assert_no_axe_violations(page)
    # The card's page, and the questionnaire for a signed-in resident: accessible too.
    page.set_viewport_size(PHONE)
    page.locator(".vol-card a").first.click()
    expect(page.get_by_role("button", name="Show the contacts")).to_be_visible()
    assert_no_axe_violations(page)
    _user, session = users.create()
    context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
    page.goto(f"{portal_server}/volunteers/join/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Become a volunteer")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)
    page.set_viewport_size(DESKTOP)
    assert_no_axe_violations(page)
    context.close()
    assert outside == [] and errors == [], (outside, errors)
