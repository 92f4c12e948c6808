"""Malformed input over real HTTP: every areas API parameter is checked before any query, and a
control character in any API request is a 400 JSON error, never a server error."""

import pytest
import requests

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, parameter", [
    ("/api/areas/?generation=%00", "generation"),
    ("/api/areas/?parent=%00", "parent"),
    ("/api/areas/?parent=75000000x", "parent"),
    ("/api/areas/?generation=2024%20or%201", "generation"),
    ("/api/areas/%00/", None),
    ("/api/areas/75abc/", "kato"),
    ("/api/areas/750000000/?generation=%00", "generation"),
    ("/api/areas/lookup?lon=76.9&lat=43.2&generation=%00", "generation"),
    ("/api/areas/lookup?lon=76.9&lat=43.2&generation=" + "9" * 17, "generation"),
    ("/api/layers/settlements/?area=%00", "area"),
    ("/api/layers/sett%01lements/", None),
    ("/tiles/settlements/10/730/375.mvt?x=%0A", "x"),
    ("/api/layers/settlements/?area=%C2%85", "area"),       # a C1 control, UTF-8 encoded
    ("/api/layers/settlements/?ar%00ea=750000000", None),   # in a parameter's name
])
def test_malformed_parameters_are_400_with_a_message(portal_server, path, parameter):
    response = requests.get(f"{portal_server}{path}", timeout=10)
    assert response.status_code == 400, response.text[:200]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert len(body["error"]) > 20
    assert body.get("parameter") == parameter or parameter is None


def test_area_parameters_that_are_well_formed_still_work(portal_server):
    answer = requests.get(f"{portal_server}/api/areas/", params={
        "parent": "750000000", "generation": "2024"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["count"] >= 8
    unknown = requests.get(f"{portal_server}/api/areas/", params={"generation": "1999"},
                           timeout=10)
    assert unknown.status_code == 400 and "known: 2018, 2024" in unknown.json()["error"]


def test_text_outside_ascii_is_not_taken_for_a_control_character(portal_server):
    answer = requests.get(f"{portal_server}/api/layers/settlements/",
                          params={"area": "Алматы"}, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["parameter"] == "area"
    assert "KATO" in answer.json()["error"]


def test_control_characters_do_not_break_pages(portal_server):
    # A page's query string is the page's business: it is not answered with API JSON.
    page = requests.get(f"{portal_server}/", params={"q": "\x00"}, timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")


def test_every_page_has_the_content_security_policy(portal_server):
    policy = requests.get(f"{portal_server}/", timeout=10).headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert set(directives["img-src"]) == {"'self'", "data:"}
    docs = requests.get(f"{portal_server}/api/docs/", timeout=10)
    assert "<script>" not in docs.text  # the initialiser is a script file of its own
    assert "script-src 'self';" in docs.headers["Content-Security-Policy"] + ";"


def test_data_responses_carry_no_document_policy(portal_server):
    """GeoJSON, JSON and tiles are never rendered as documents: the hot paths skip the CSP
    header, and keep nosniff so no browser reads them as one."""
    for path in ("/api/layers/settlements/?limit=1", "/api/areas/?level=oblast",
                 "/tiles/settlements/7/90/46.mvt"):
        response = requests.get(f"{portal_server}{path}", timeout=10)
        assert response.status_code in (200, 204), path
        assert "Content-Security-Policy" not in response.headers, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
