"""The page a plaque's QR code opens: the object in the visitor's language (an explicit
?lang= or the language cookie first, then the phone's Accept-Language), each text falling
back on its own to Kazakh, then Russian, with lang attributes that say which is which; a
clear 404 for unknown codes; small enough for a slow connection."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from gis_portal.plaques import actions
from gis_portal.plaques.cards import LocalText, text_in, visitor_language
from gis_portal.plaques.models import Plaque
from layers.areas.models import Settlement

from .helpers import settlement_layer, small_okrug_settlements

pytestmark = pytest.mark.django_db


@pytest.fixture
def settlement():
    settlement = small_okrug_settlements()[0]
    assert settlement.name_kk and settlement.name_ru and settlement.name_kk != settlement.name_ru
    return settlement


@pytest.fixture
def plaque(settlement):
    return actions.plaque_for(layer=settlement_layer(), obj=settlement)


def page(url, **headers):
    """A visitor without the site's language cookie (a phone that just scanned the code)."""
    return Client().get(url, **headers)


def h1(response) -> tuple[str | None, str]:
    """The heading's own lang attribute (None: the page's) and its text."""
    match = re.search(r'<h1(?: lang="(\w+)")?>([^<]*)</h1>', response.content.decode())
    assert match, response.content.decode()[:500]
    return match.group(1), match.group(2)


def html_lang(response) -> str:
    return re.search(r'<html lang="(\w+)">', response.content.decode()).group(1)


def test_a_phone_without_preferences_reads_kazakh(plaque, settlement):
    response = page(plaque.path)
    assert response.status_code == 200
    assert html_lang(response) == "kk" and response["Content-Language"] == "kk"
    assert h1(response) == (None, settlement.name_kk)
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


def test_a_russian_phone_reads_russian(plaque, settlement):
    response = page(plaque.path, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en-US;q=0.8")
    assert html_lang(response) == "ru"
    assert h1(response) == (None, settlement.name_ru)


def test_accept_language_order_follows_the_quality_values(plaque, settlement):
    response = page(plaque.path, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,kk;q=0.5,ru;q=0.8")
    assert html_lang(response) == "ru"
    response = page(plaque.path, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,fr;q=0.8")
    assert html_lang(response) == "kk"
    response = page(plaque.path, HTTP_ACCEPT_LANGUAGE="en-GB,ru;q=0")
    assert html_lang(response) == "en"


def test_english_falls_back_to_kazakh_and_says_so(plaque, settlement):
    settlement.name_en = ""
    settlement.save()
    response = page(plaque.path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert html_lang(response) == "en"
    # The name is shown in Kazakh and marked as Kazakh for screen readers and translators.
    assert h1(response) == ("kk", settlement.name_kk)
    assert "Open on the full map" in response.content.decode()


def test_english_is_shown_when_present(plaque, settlement):
    settlement.name_en = "Test Village"
    settlement.save()
    response = page(plaque.path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert h1(response) == (None, "Test Village")


def test_kazakh_missing_falls_back_to_russian(plaque, settlement):
    settlement.name_kk = ""
    settlement.save()
    response = page(plaque.path)
    assert html_lang(response) == "kk"
    assert h1(response) == ("ru", settlement.name_ru)


def test_an_explicit_choice_wins_over_the_phone(plaque, settlement):
    response = page(f"{plaque.path}?lang=kk", HTTP_ACCEPT_LANGUAGE="ru-RU,ru")
    assert h1(response) == (None, settlement.name_kk)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(plaque.path, HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert html_lang(response) == "ru" and h1(response) == (None, settlement.name_ru)
    # The page's own language links are plain links, usable without script.
    body = response.content.decode()
    for code in ("kk", "ru", "en"):
        assert f'href="?lang={code}" lang="{code}"' in body


def test_text_in_falls_back_per_field():
    class Thing:
        name_kk, name_ru, name_en = "Ақ", "Ак", ""
        note_kk, note_ru, note_en = "", "Только по-русски", ""
        empty_kk = empty_ru = empty_en = ""

    assert text_in(Thing, "name", "en") == LocalText("Ақ", "kk")
    assert text_in(Thing, "name", "ru") == LocalText("Ак", "ru")
    assert text_in(Thing, "note", "en") == LocalText("Только по-русски", "ru")
    assert text_in(Thing, "note", "kk") == LocalText("Только по-русски", "ru")
    assert text_in(Thing, "empty", "kk") is None


def test_visitor_language_reads_choice_cookie_and_header(rf):
    assert visitor_language(rf.get("/p/X", HTTP_ACCEPT_LANGUAGE="en")) == "en"
    assert visitor_language(rf.get("/p/X?lang=xx", HTTP_ACCEPT_LANGUAGE="ru")) == "ru"
    assert visitor_language(rf.get("/p/X", HTTP_ACCEPT_LANGUAGE="kk-KZ,ru;q=0.9")) == "kk"
    assert visitor_language(rf.get("/p/X", HTTP_ACCEPT_LANGUAGE="*")) == "kk"


def test_the_card_shows_facts_and_the_map_link(plaque, settlement):
    body = page(plaque.path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert settlement.kato in body
    assert "&amp;layers=settlements" in body and "#map=14/" in body
    assert plaque.code in body
    assert "<script" not in body


def test_unknown_and_withdrawn_codes_get_a_clear_404(plaque, settlement):
    response = page("/p/NOSUCH9", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Plaque not found" in body and "There is no plaque with the code NOSUCH9" in body
    assert page("/p/NOSUCH9/qr.png").status_code == 404
    for nonsense in ("/p/AB%00CD", "/p/" + "A" * 300, "/p/%D2%9A%D0%B0%D0%B7", "/p/x%20y"):
        assert page(nonsense).status_code == 404, nonsense
        assert page(nonsense + "/qr.svg").status_code == 404, nonsense
    russian = page("/p/NOSUCH9", HTTP_ACCEPT_LANGUAGE="ru")
    assert html_lang(russian) == "ru" and russian["Content-Language"] == "ru"
    # A code typed in lower case still opens its plaque.
    assert page(f"/p/{plaque.code.lower()}").status_code == 200
    # The object of a plaque removed from the portal (a row id no settlement has).
    withdrawn = Plaque.objects.create(code="WWWWWWW", layer="settlements",
                                      object_id=Settlement.objects.order_by("-pk")[0].pk + 1)
    response = page(withdrawn.path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "no longer shown" in response.content.decode()


def test_the_page_is_small(plaque):
    """HTML and CSS of the plaque page, without photos: well under 30 KB for a slow phone."""
    html = page(plaque.path).content
    css_path = finders.find("plaques/plaque.css")
    css = open(css_path, "rb").read()
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets == [b"/static/plaques/plaque.css"]
    assert len(html) + len(css) < 10_000, (len(html), len(css))


def test_the_objects_photos_are_shown_as_thumbnails(plaque, settlement):
    from gis_portal.photos.actions import add_photo, hide_photo
    from gis_portal.photos.drawing import drawn_photo

    shown = add_photo(user=None, target=settlement, upload=drawn_photo("Village square", 1),
                      caption="The village square")
    hidden = add_photo(user=None, target=settlement, upload=drawn_photo("Old shed", 2),
                       caption="A hidden one")
    hide_photo(user=None, photo=hidden)
    body = page(plaque.path).content.decode()
    assert f'src="{shown.thumbnail_url}" alt="The village square" loading="lazy"' in body
    assert hidden.thumbnail_url not in body and shown.url not in body
