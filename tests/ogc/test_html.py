"""The OGC API's page for people (f=html): every public collection with the addresses to paste
into QGIS, in Kazakh by default, WCAG 2 AA on a laptop and a phone, under the site's policy."""

import pytest
from playwright.sync_api import expect

from gis_portal.ogc.collections import is_public
from layers.core.registry import layer_registry
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import launched_chromium, refuse_other_hosts

pytestmark = [pytest.mark.django_db]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}


def test_page_lists_public_collections_with_their_qgis_addresses(client):
    response = client.get("/ogc/", {"f": "html"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for layer in layer_registry.all():
        tiles = f"http://testserver/tiles/{layer.slug}/{{z}}/{{x}}/{{y}}.mvt"
        style = f"http://testserver/tiles/{layer.slug}/style.json"
        if is_public(layer):
            assert tiles in page and style in page, layer.slug
        else:
            assert f"/tiles/{layer.slug}/" not in page and f'"{layer.slug}"' not in page
    assert "http://testserver/ogc/" in page
    assert client.get("/ogc/collections", {"f": "html"}).status_code == 200
    assert client.get("/ogc/", {"f": "xml"}).status_code == 400


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_page_is_accessible_on_laptop_and_phone(browser, portal_server, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    outside = refuse_other_hosts(context)
    errors, refused = [], []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        response = page.goto(f"{portal_server}/ogc/?f=html")
        assert response.status == 200
        expect(page.locator("html")).to_have_attribute("lang", "kk")
        expect(page.locator("code.ogc-url").first).to_contain_text(f"{portal_server}/ogc/")
        # Long addresses wrap: nothing wider than the screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], width
        assert_no_axe_violations(page)
    finally:
        context.close()
    assert outside == [] and errors == [] and refused == []
