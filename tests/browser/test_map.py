"""The map page in Debian's headless Chromium against the running portal (`portal_server`):
it draws, switches language, toggles layers and looks places up, and the browser never asks
any host but the portal (no CDN, no tile server: the map works offline)."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.support.axe import assert_no_axe_violations
from tests.support.browser import launched_chromium, refuse_other_hosts

# django_db makes a targeted run set up the test database (pytest-django sets up none when no
# selected test is marked); the browser starts per test, after that (the database helper
# touches the connection in the main thread, where Playwright's loop would forbid it).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# A point in the middle of Almaty (city of republican significance, an oblast-level unit).
ALMATY = (76.9286, 43.2567)
AKMOLA = "110000000"


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.fixture
def page(browser, portal_server):
    """A fresh page; afterwards: no request left 127.0.0.1, no script error."""
    # An English-speaking browser: the portal still opens in Kazakh, its default.
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    outside = refuse_other_hosts(context)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert outside == [], f"the page asked other hosts: {outside}"
    assert errors == [], f"script errors: {errors}"


def open_map(page, base_url, fragment=""):
    page.goto(f"{base_url}/{fragment}")
    # The area list fills from the API once the map script has run.
    expect(page.locator("[data-area-list] button").first).to_be_visible(timeout=15_000)


def test_map_draws_offline_base_and_vector_tiles_in_kazakh(page, portal_server):
    open_map(page, portal_server)
    assert page.locator("html").get_attribute("lang") == "kk"
    expect(page.locator("#areas-heading")).to_have_text("Аумақтар")
    expect(page.locator("[data-breadcrumb]")).to_contain_text("Қазақстан")
    # Oblasts and the cities of republican significance.
    expect(page.locator("[data-area-list] button")).to_have_count(20)
    # The offline base (drawn from /api/areas/) and canvas vector tiles of the layers.
    expect(page.locator(".leaflet-offline-base-pane canvas")).to_have_count(1)
    expect(page.locator("canvas.leaflet-tile-loaded").first).to_be_attached(timeout=15_000)
    # Every script and stylesheet is the portal's own.
    for element in page.locator("script[src], link[rel=stylesheet]").all():
        source = element.get_attribute("src") or element.get_attribute("href")
        assert source.startswith("/"), source


def test_language_switch_translates_the_page_and_keeps_the_view(page, portal_server):
    akmola = requests.get(f"{portal_server}/api/areas/{AKMOLA}/", timeout=10).json()["name"]
    assert akmola["ru"] != akmola["kk"]
    tiles = []
    page.on("request", lambda request: tiles.append(request.url)
            if "/tiles/" in request.url else None)
    open_map(page, portal_server, "#map=6/50.00000/70.00000")
    expect(page.locator("[data-area-list]")).to_contain_text(akmola["kk"])
    # Tiles name their language in the URL: one cached in Kazakh is never reused in Russian.
    expect(page.locator("canvas.leaflet-tile-loaded").first).to_be_attached(timeout=15_000)
    assert tiles and all("lang=kk" in url for url in tiles), tiles
    tiles.clear()

    with page.expect_navigation():
        page.get_by_role("button", name="Русский").click()
    assert "#map=6/50.00000/70.00000" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#areas-heading")).to_have_text("Территории")
    expect(page.locator("[data-breadcrumb]")).to_contain_text("Казахстан")
    expect(page.locator("[data-area-list]")).to_contain_text(akmola["ru"])
    expect(page.get_by_role("button", name="Русский")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("canvas.leaflet-tile-loaded").first).to_be_attached(timeout=15_000)
    assert tiles and all("lang=ru" in url for url in tiles), tiles


def test_toggling_a_layer_updates_the_map_and_the_permalink(page, portal_server):
    open_map(page, portal_server, "#map=7/43.30000/76.90000")
    settlements = page.locator("#layer-settlements")
    expect(settlements).to_be_checked()

    settlements.uncheck()
    page.wait_for_url(re.compile(r"layers=areas(&|$)"))
    with page.expect_request(re.compile(r"/tiles/settlements/7/\d+/\d+\.mvt")):
        settlements.check()
    page.wait_for_url(re.compile(r"layers=areas,settlements"))


def test_click_shows_the_places_oblast_district_and_settlement(page, portal_server):
    lon, lat = ALMATY
    place = requests.get(f"{portal_server}/api/areas/lookup", params={"lon": lon, "lat": lat},
                         timeout=10).json()
    open_map(page, portal_server, f"#map=12/{lat:.5f}/{lon:.5f}")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    popup = page.locator(".lookup-popup")
    expect(popup).to_contain_text("Облыс", timeout=15_000)
    expect(popup).to_contain_text(place["oblast"]["name"]["kk"])
    if place["district"]:
        expect(popup).to_contain_text(place["district"]["name"]["kk"])
    expect(popup).to_contain_text("Ең жақын елді мекен")


def test_click_outside_kazakhstan_says_so(page, portal_server):
    # Tashkent, Uzbekistan: inside the map's bounds, outside the country.
    open_map(page, portal_server, "#map=8/41.31000/69.28000")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(".lookup-popup")).to_contain_text("Қазақстаннан тыс", timeout=15_000)


@pytest.mark.parametrize("typed, current, former", [
    ("Semipalatinsk", "Семей", "Семипалатинск"),  # a city of its oblast: its district
    ("Nur-Sultan", "Астана", "Нур-Султан"),  # a city of republican significance: itself
])
def test_a_native_finds_their_town_by_its_former_name_and_the_map_goes_there(
        page, portal_server, typed, current, former):
    """"Find a place" takes a former name in Latin letters, lists the town with its former
    names, and choosing it selects its district (a republican city: the city) and centres the
    map on it, with a link to the settlement's page."""
    town = requests.get(f"{portal_server}/api/layers/settlements/",
                        params={"q": current, "ordering": "-population", "limit": 1},
                        timeout=10).json()["features"][0]
    lon, lat = town["geometry"]["coordinates"]
    place = town["properties"]
    republican = place["kato"] == place["oblast"]
    chosen = place["oblast"] if republican else place["district"]
    open_map(page, portal_server)
    page.get_by_label("Қала немесе ауыл: кез келген жазылуы немесе бұрынғы атауы").fill(typed)
    first = page.locator("[data-place-results] button").first
    expect(first).to_contain_text(place["name"], timeout=15_000)
    expect(first).to_contain_text(former)
    expect(page.locator("[data-place-search-status]")).to_contain_text("Табылған")
    assert_no_axe_violations(page)  # the list of places as shown
    first.click()

    expect(page.locator("[data-breadcrumb] [aria-current]")).to_have_text(
        place["oblast_name"] if republican else place["district_name"])
    expect(page.locator(".leaflet-popup-content a")).to_have_attribute(
        "href", f"/settlements/{place['kato']}/")
    page.wait_for_function(
        "([lat, lon]) => { const m = location.hash.match(/map=([\\d.]+)\\/([\\d.]+)\\/([\\d.]+)/);"
        " return m && Math.abs(m[2] - lat) < 0.01 && Math.abs(m[3] - lon) < 0.01; }",
        arg=[lat, lon], timeout=15_000)
    assert f"area={chosen}" in page.evaluate("location.hash")


def test_a_place_nobody_has_heard_of_is_said_plainly(page, portal_server):
    open_map(page, portal_server)
    search = page.get_by_role("searchbox", name="Қала немесе ауыл: кез келген жазылуы немесе "
                                               "бұрынғы атауы")
    search.fill("Qwxzyq")
    search.press("Enter")
    expect(page.locator("[data-place-search-status]")).to_have_text(
        "Мұндай атаулы қала немесе ауыл жоқ.", timeout=15_000)
    expect(page.locator("[data-place-results]")).to_be_hidden()


def test_a_link_in_russian_opens_the_whole_map_in_russian(page, portal_server):
    """?lang= fixes the language of the page and of its scripts' texts alike (the script
    translations are asked for in the page's language, whatever the cookie says)."""
    page.goto(f"{portal_server}/?lang=ru")
    expect(page.locator("[data-area-list] button").first).to_be_visible(timeout=15_000)
    expect(page.locator("#areas-heading")).to_have_text("Территории")
    expect(page.locator("[data-breadcrumb]")).to_contain_text("Казахстан")
    expect(page.locator("[data-area-list-label]")).to_have_text("Области")
