"""The three users' journeys in Debian's headless Chromium, each from the front page and in
Kazakh (the portal's default), with a screenshot of every step kept under
var/test-artefacts/journeys/<journey>/NN-step.png:

* a resident explores an okrug, filters a layer and opens a record;
* a planner runs a spatial question, saves it, downloads the GeoPackage and re-opens the
  permalink (the page passes axe at 1280 and 375 px);
* a tourist plans a road trip and downloads the GPX.
"""

import re
from pathlib import Path

import gpxpy
import pyogrio
import pytest
from playwright.sync_api import expect

from tests.support.axe import assert_no_axe_violations
from tests.support.browser import in_database, launched_chromium, refuse_other_hosts

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts" / "journeys"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
ALMATY = (76.9286, 43.2567)


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


class Journey:
    """One browser context in Kazakh; numbered screenshots; no other host, no script error."""

    def __init__(self, browser, name: str):
        self.folder = ARTEFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.context = browser.new_context(locale="kk-KZ", viewport=LAPTOP,
                                           accept_downloads=True)
        self.outside = refuse_other_hosts(self.context)
        self.errors: list[str] = []
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.step = 0

    def shot(self, what: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{what}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert self.outside == [], f"the page asked other hosts: {self.outside}"
        assert self.errors == [], f"script errors: {self.errors}"


@pytest.fixture
def journey(browser, request):
    made = []

    def start(name):
        made.append(Journey(browser, name))
        return made[-1]

    yield start
    for one in made:
        one.close()


def open_front_page(journey, base_url):
    page = journey.page
    page.goto(f"{base_url}/")
    expect(page.locator("[data-area-list] button").first).to_be_visible(timeout=15_000)
    assert page.locator("html").get_attribute("lang") == "kk"
    journey.shot("front-page")


def an_okrug_with_settlements():
    from layers.areas.models import AdminArea, Settlement

    settlement = (Settlement.objects.filter(okrug__isnull=False, geom__isnull=False,
                                            kato__startswith="19")
                  .exclude(name_kk="").order_by("kato").first())
    okrug = AdminArea.objects.get(pk=settlement.okrug_id)
    district = AdminArea.objects.get(pk=okrug.parent_id)
    oblast = AdminArea.objects.get(pk=district.parent_id)
    return {"settlement": settlement.name_kk, "okrug": okrug.name_kk,
            "district": district.name_kk, "oblast": oblast.name_kk}


@pytest.mark.django_db
def test_the_resident_has_an_okrug_with_settlements_to_explore():
    # Also sets the test database up for the browser journeys of a targeted run.
    assert an_okrug_with_settlements()["okrug"]


def choose_area(page, name):
    search = page.locator("[data-area-search]")
    search.fill(name)
    page.locator("[data-area-list] button", has_text=name).first.click()
    expect(page.locator("[data-breadcrumb]")).to_contain_text(name, timeout=15_000)
    search.fill("")


def test_resident_explores_an_okrug_filters_a_layer_and_opens_a_record(
        journey, portal_server, django_db_blocker):
    place = in_database(django_db_blocker, an_okrug_with_settlements)
    resident = journey("resident")
    page = resident.page
    open_front_page(resident, portal_server)

    for level in ("oblast", "district", "okrug"):
        choose_area(page, place[level])
        resident.shot(f"chose-{level}")
    expect(page.locator("[data-area-summary]")).not_to_be_empty()

    # Filter the settlements layer by the name of one of the okrug's settlements.
    name_filter = page.locator("#filter-settlements-q")
    page.locator("details.layer-filters", has=name_filter).locator("summary").click()
    with page.expect_request(re.compile(r"/tiles/settlements/.*q=")):
        name_filter.fill(place["settlement"])
        name_filter.press("Enter")
    page.wait_for_url(re.compile(r"f\.settlements\.q="))
    resident.shot("filtered-settlements")

    # A click in the okrug: the popup names the okrug and links its nearest settlement.
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".lookup-popup")
    expect(popup).to_contain_text(place["district"], timeout=15_000)
    resident.shot("popup")
    link = popup.locator("a[href^='/settlements/']").first
    link.click()
    page.wait_for_url(re.compile(r"/settlements/\d{9}/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    resident.shot("settlement-record")


@pytest.fixture
def saved_questions_removed(django_db_blocker):
    """The planner's saved question is committed by the server: removed afterwards."""
    from gis_portal.questions.models import SavedQuestion

    last = in_database(django_db_blocker, lambda: SavedQuestion.objects.order_by("-pk")
                       .values_list("pk", flat=True).first() or 0)
    yield
    in_database(django_db_blocker, lambda: SavedQuestion.objects.filter(pk__gt=last).delete())


def test_planner_runs_a_question_saves_it_and_downloads_the_geopackage(
        journey, portal_server, tmp_path, saved_questions_removed):
    planner = journey("planner")
    page = planner.page
    open_front_page(planner, portal_server)
    page.locator("a[href='/questions/']").first.click()
    page.wait_for_url(f"{portal_server}/questions/")
    expect(page.locator("[data-questions-map] .leaflet-pane").first).to_be_attached()
    assert_no_axe_violations(page)
    planner.shot("questions-page")

    # Everything within 5 km of a point in Almaty: clicked on the map, then typed exactly.
    page.locator("#q-kind").select_option("within")
    box = page.locator("[data-questions-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#q-lon")).not_to_have_value("")
    page.locator("#q-lon").fill(str(ALMATY[0]))
    page.locator("#q-lat").fill(str(ALMATY[1]))
    page.locator("#q-km").fill("5")
    page.locator("[data-ask]").click()
    groups = page.locator("[data-answer-list] .answer-group")
    expect(groups.first).to_be_visible(timeout=20_000)
    expect(page.locator("[data-answer-list] a[href^='/settlements/']").first).to_be_visible()
    assert page.locator("[data-questions-map] .leaflet-overlay-pane path").count() > 1
    assert_no_axe_violations(page)
    planner.shot("answer")

    with page.expect_download() as download_info:
        page.locator("[data-download='gpkg']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".gpkg")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    tables = [name for name, _ in pyogrio.list_layers(path)]
    assert "settlements" in tables
    assert len(pyogrio.read_dataframe(path, layer="settlements")) > 0
    planner.shot("downloaded")

    page.locator("[data-save]").click()
    link = page.locator("[data-saved-link] a")
    expect(link).to_be_visible(timeout=10_000)
    planner.shot("saved")
    link.click()
    page.wait_for_url(re.compile(r"/questions/[a-z0-9]{10}/$"))
    expect(page.locator("[data-saved-banner] time")).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(page.locator("[data-answer-list] .answer-group").first).to_be_visible(timeout=20_000)
    expect(page.locator("[data-questions-map][data-answer-drawn='within']")).to_be_attached()
    assert page.locator("#q-lon").input_value() == str(ALMATY[0])
    planner.shot("permalink-rerun")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)
    planner.shot("permalink-on-a-phone")


def test_tourist_plans_a_trip_and_downloads_the_gpx(journey, portal_server):
    tourist = journey("tourist")
    page = tourist.page
    open_front_page(tourist, portal_server)
    page.locator("a[href='/trips/']").first.click()
    page.wait_for_url(f"{portal_server}/trips/")
    tourist.shot("trip-planner")

    page.locator("#trip-preset").select_option("west-east")
    page.locator("#trip-km").fill("500")
    page.locator(".trip-form button[type=submit]").click()
    days = page.locator("[data-trip-days] > li")
    expect(days.first).to_be_visible(timeout=30_000)
    assert days.count() >= 5
    tourist.shot("planned-trip")

    with page.expect_download() as download_info:
        page.locator("[data-download-gpx]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".gpx")
    gpx = gpxpy.parse(open(download.path(), encoding="utf-8").read())
    assert gpx.tracks and len(gpx.tracks[0].segments[0].points) > 10
    assert len(gpx.waypoints) >= days.count()
    tourist.shot("downloaded-gpx")
