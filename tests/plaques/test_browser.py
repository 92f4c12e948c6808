"""A plaque in the browser on a phone: a visitor whose phone speaks Kazakh scans the code and
reads the object in Kazakh on a 375 px screen, with nothing wider than the screen, no script
and no request beyond the page and its stylesheet; the language links switch to Russian. The
plaque page and the staff's sheet form pass axe at 375 and 1280 px."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gis_portal.plaques import actions
from gis_portal.plaques.models import Plaque
from tests.accounts.factories import StaffRoleFactory
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

from .helpers import settlement_layer, small_okrug_settlements

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
PHONE = {"width": 375, "height": 700}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.fixture
def committed_plaque(django_db_setup, django_db_blocker):
    """A plaque of a real settlement, committed so the server process sees it."""
    def create():
        settlement = small_okrug_settlements()[0]
        existed = Plaque.objects.filter(layer="settlements", object_id=settlement.pk).exists()
        return settlement, actions.plaque_for(layer=settlement_layer(), obj=settlement), existed

    settlement, plaque, existed = in_database(django_db_blocker, create)
    yield settlement, plaque
    if not existed:
        in_database(django_db_blocker, lambda: Plaque.objects.filter(pk=plaque.pk).delete())


@pytest.fixture
def staff_session(django_db_setup, django_db_blocker):
    def create():
        role = StaffRoleFactory(areas=[small_okrug_settlements()[0].district])
        client = Client()
        client.force_login(role.user)
        return role.user, client.cookies[settings.SESSION_COOKIE_NAME].value

    user, session = in_database(django_db_blocker, create)
    yield session

    def remove():
        Plaque.objects.filter(created_by=user).delete()  # those its sheet made
        user.delete()

    in_database(django_db_blocker, remove)


def test_a_kazakh_phone_reads_the_plaque_in_kazakh(browser, portal_server, committed_plaque,
                                                  staff_session):
    settlement, plaque = committed_plaque
    context = browser.new_context(locale="kk-KZ", viewport=PHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    outside = refuse_other_hosts(context)
    page = context.new_page()
    loaded, errors = [], []
    page.on("response", lambda response: loaded.append(response))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(f"{portal_server}/p/{plaque.code}")
    expect(page.locator("h1")).to_have_text(settlement.name_kk)
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.locator("h1").get_attribute("lang") is None  # Kazakh, like the page
    # Fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Tiny: the page and its stylesheet, nothing else (no script, no tiles, no font).
    paths = sorted(response.url.removeprefix(portal_server) for response in loaded)
    assert paths == sorted([f"/p/{plaque.code}", "/static/plaques/plaque.css"]), paths
    transferred = sum(len(response.body()) for response in loaded)
    assert transferred < 10_000, transferred
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Русский").click()
    expect(page.locator("h1")).to_have_text(settlement.name_ru)
    assert page.locator("html").get_attribute("lang") == "ru"
    page.set_viewport_size(DESKTOP)
    assert_no_axe_violations(page)

    page.goto(f"{portal_server}/p/NOSUCH9")
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page)

    # The staff's sheet form, signed in, on the phone and on a desktop screen.
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": staff_session,
                          "url": portal_server},
                         {"name": "django_language", "value": "en", "url": portal_server}])
    page.set_viewport_size(PHONE)
    page.goto(f"{portal_server}/plaques/sheet/")
    expect(page.get_by_label("Layer")).to_be_visible()
    assert_no_axe_violations(page)
    page.set_viewport_size(DESKTOP)
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_label("Area", exact=True).select_option(settlement.okrug.kato)
        page.get_by_role("button", name="Make the PDF").click()
    assert download.value.suggested_filename == f"plaques-settlements-{settlement.okrug.kato}.pdf"

    context.close()
    assert outside == [] and errors == []
