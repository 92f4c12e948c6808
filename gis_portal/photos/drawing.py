"""Photos drawn by the portal itself, for demo content and tests: never downloaded.

A drawn photo is a simple landscape (sky, hills, a sun) in colours picked from the seed, with
the title written on it, so demo pages look alive and every photo is recognisably a sample.
"""

import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _font(size: int):
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:  # fonts-dejavu-core missing: Pillow's own bitmap font still draws
        return ImageFont.load_default()


def drawn_image(title: str, seed: int, size=(1024, 683)) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    sky_top = (rng.randint(40, 90), rng.randint(110, 160), rng.randint(190, 240))
    for y in range(height):
        shade = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(c + (255 - c) * shade * 0.6)
                                                   for c in sky_top))
    draw.ellipse([width * 0.72, height * 0.12, width * 0.84, height * 0.12 + width * 0.12],
                 fill=(255, 224, 130))
    for layer in range(3):
        base = height * (0.55 + 0.12 * layer)
        colour = (rng.randint(60, 120) - 15 * layer, rng.randint(110, 170) - 20 * layer,
                  rng.randint(50, 90) - 10 * layer)
        points = [(0, height)]
        for x in range(0, width + 64, 64):
            points.append((x, base - rng.randint(0, int(height * 0.15))))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    font = _font(max(18, width // 24))
    text = title[:60]
    box = draw.textbbox((0, 0), text, font=font)
    draw.rectangle([0, height - (box[3] - box[1]) - 40, width, height], fill=(20, 30, 40))
    draw.text((24, height - (box[3] - box[1]) - 24), text, font=font, fill=(255, 255, 255))
    return image


def drawn_photo(title: str, seed: int, size=(1024, 683)) -> ContentFile:
    """A JPEG drawn from the title and seed, ready for actions.add_photo(upload=...)."""
    out = io.BytesIO()
    drawn_image(title, seed, size).save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name=f"drawn-{seed}.jpg")
