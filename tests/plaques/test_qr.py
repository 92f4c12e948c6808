"""QR codes decode to the plaque's absolute short URL, built from TZ_PUBLIC_BASE_URL and never
from the request's Host: the PNG read by zbar, the SVG drawn from its own path and read by zbar
too."""

import pytest
import segno

from gis_portal.plaques import actions

from .helpers import (
    decoded_png,
    decoded_svg,
    settlement_layer,
    small_okrug_settlements,
    svg_modules,
)

pytestmark = pytest.mark.django_db
PUBLIC = "https://tuganzher.example.kz"


@pytest.fixture
def plaque(settings):
    settings.TZ_PUBLIC_BASE_URL = PUBLIC
    return actions.plaque_for(layer=settlement_layer(), obj=small_okrug_settlements()[0])


def test_the_png_decodes_to_the_short_url(client, plaque):
    response = client.get(f"/p/{plaque.code}/qr.png", HTTP_HOST="localhost")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "max-age=86400" in response["Cache-Control"]
    assert decoded_png(response.content) == [f"{PUBLIC}/p/{plaque.code}"]


def test_the_svg_decodes_to_the_same_url(client, plaque):
    response = client.get(f"/p/{plaque.code}/qr.svg", HTTP_HOST="localhost")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = response.content
    assert svg.startswith(b"<svg") and b"<script" not in svg and b"viewBox=" in svg
    assert decoded_svg(svg) == [f"{PUBLIC}/p/{plaque.code}"]
    # Module for module the drawing is the code segno makes of that URL.
    side, dark = svg_modules(svg)
    matrix = segno.make(f"{PUBLIC}/p/{plaque.code}", error="q", micro=False).matrix
    expected = {(column + 4, row + 4) for row, line in enumerate(matrix)
                for column, value in enumerate(line) if value}
    assert side == len(matrix) + 8 and dark == expected


def test_a_lower_case_code_serves_the_same_qr(client, plaque):
    response = client.get(f"/p/{plaque.code.lower()}/qr.png")
    assert decoded_png(response.content) == [f"{PUBLIC}/p/{plaque.code}"]


def test_an_objects_page_shows_its_plaque_with_one_tag(plaque):
    from django.template import Context, Template

    from layers.areas.models import Settlement

    settlement = Settlement.objects.get(pk=plaque.object_id)
    template = Template("{% load plaques %}{% plaque_box 'settlements' settlement %}")
    html = template.render(Context({"settlement": settlement}))
    assert f'src="/p/{plaque.code}/qr.svg"' in html
    assert f'href="/p/{plaque.code}/qr.png" download' in html
    assert f"{PUBLIC}/p/{plaque.code}" in html
    # Layers without plaques show nothing.
    nothing = Template("{% load plaques %}{% plaque_box 'areas' area %}").render(
        Context({"area": settlement.district}))
    assert nothing.strip() == ""
