"""Shared pieces of the plaque tests: real settlements of the reference data, decoding QR codes
from PNG and from SVG (the SVG drawn by a reader of its own, not segno)."""

import io
import re

from django.db.models import Count
from PIL import Image, ImageDraw
from pyzbar.pyzbar import decode

from layers.areas.models import Settlement
from layers.core.registry import layer_registry

SETTLEMENTS = "settlements"


def settlement_layer():
    return layer_registry.get(SETTLEMENTS)


def small_okrug_settlements(minimum: int = 2, maximum: int = 5) -> list[Settlement]:
    """The settlements of the first rural okrug that has between minimum and maximum."""
    okrug = (Settlement.objects.filter(okrug__isnull=False).values("okrug")
             .annotate(count=Count("pk")).filter(count__gte=minimum, count__lte=maximum)
             .order_by("okrug").first())
    assert okrug is not None, "the reference data has no small rural okrug"
    return list(Settlement.objects.filter(okrug_id=okrug["okrug"])
                .select_related("okrug", "district", "oblast").order_by("pk"))


def decoded_png(data: bytes) -> list[str]:
    return [symbol.data.decode() for symbol in decode(Image.open(io.BytesIO(data)))]


SVG_SIZE = re.compile(rb'<svg[^>]* width="(\d+)" height="(\d+)"')
SVG_SCALE = re.compile(rb'transform="scale\((\d+)\)"')
SVG_PATH = re.compile(rb' d="([^"]+)"')
PATH_COMMAND = re.compile(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?")


def svg_modules(svg: bytes) -> tuple[int, set[tuple[int, int]]]:
    """The side in modules and the dark (column, row) cells of segno's SVG path, read from its
    moveto (M, m) and horizontal lineto (h) commands: each h draws a run of a row."""
    width, height = map(int, SVG_SIZE.search(svg).groups())
    scale_match = SVG_SCALE.search(svg)
    scale = int(scale_match.group(1)) if scale_match else 1
    assert width == height and width % scale == 0
    x = y = 0.0
    dark = set()
    for command, first, second in PATH_COMMAND.findall(SVG_PATH.search(svg).group(1).decode()):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        elif command in "hH":
            end = x + float(first) if command == "h" else float(first)
            dark |= {(column, int(y)) for column in range(int(x), int(end))}
            x = end
    return width // scale, dark


def decoded_svg(svg: bytes, pixels_per_module: int = 8) -> list[str]:
    """Rasterise the SVG's modules with Pillow and decode the picture with zbar."""
    side, dark = svg_modules(svg)
    image = Image.new("L", (side * pixels_per_module,) * 2, 255)
    draw = ImageDraw.Draw(image)
    for column, row in dark:
        draw.rectangle([column * pixels_per_module, row * pixels_per_module,
                        (column + 1) * pixels_per_module - 1, (row + 1) * pixels_per_module - 1],
                       fill=0)
    return [symbol.data.decode() for symbol in decode(image)]
