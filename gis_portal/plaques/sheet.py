"""The printable plate sheet: one plate per object, six to an A4 page, as a PDF (reportlab).

Each plate carries the object's name in Kazakh, Russian and English, its QR code drawn as
vector squares (sharp at any print size) and the short URL to type when no camera reads it.
The fonts are DejaVu from the system (fonts-dejavu-core), embedded: they have every Kazakh
Cyrillic letter (Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І), which reportlab's standard fonts lack.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .qr import BORDER_MODULES, qr_code

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"PlateSans": "DejaVuSans.ttf", "PlateSans-Bold": "DejaVuSans-Bold.ttf",
         "PlateMono": "DejaVuSansMono.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 2, 3
MARGIN_X, MARGIN_Y = 10 * mm, 12 * mm
PLATE_WIDTH = (PAGE_WIDTH - 2 * MARGIN_X) / COLUMNS
PLATE_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN_Y) / ROWS
PADDING = 5 * mm
QR_MAX_SIDE = 50 * mm
# Name sizes: the first (Kazakh) name is the plate's title.
NAME_SIZES = (13, 10.5, 10.5)
LINE_GAP = 1.25
URL_SIZE = 9
CAPTION_SIZE = 7


@dataclass
class Plate:
    names: list[str]  # kk, ru, en; empty ones and repeats are left off the plate
    short_url: str
    caption: str = ""  # small line at the plate's foot, e.g. the layer's title


def register_fonts() -> None:
    for name, filename in FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))


def plate_sheet_pdf(plates: list[Plate], title: str) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    pdf.setAuthor("Tugan Zher")
    pdf.setSubject("QR plaques")
    per_page = COLUMNS * ROWS
    for index, plate in enumerate(plates):
        if index and index % per_page == 0:
            pdf.showPage()
        slot = index % per_page
        column, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN_X + column * PLATE_WIDTH
        top = PAGE_HEIGHT - MARGIN_Y - row * PLATE_HEIGHT
        draw_plate(pdf, plate, x, top)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def distinct_names(names: list[str]) -> list[str]:
    shown: list[str] = []
    for name in names:
        name = " ".join((name or "").split())
        if name and name not in shown:
            shown.append(name)
    return shown


def draw_plate(pdf: canvas.Canvas, plate: Plate, x: float, top: float) -> None:
    # Cutting guide: a thin dashed grey frame.
    pdf.saveState()
    pdf.setStrokeGray(0.6)
    pdf.setLineWidth(0.4)
    pdf.setDash(3, 3)
    pdf.rect(x + 1 * mm, top - PLATE_HEIGHT + 1 * mm, PLATE_WIDTH - 2 * mm, PLATE_HEIGHT - 2 * mm)
    pdf.restoreState()

    text_width = PLATE_WIDTH - 2 * PADDING
    y = top - PADDING
    for position, name in enumerate(distinct_names(plate.names)):
        font = "PlateSans-Bold" if position == 0 else "PlateSans"
        size = NAME_SIZES[min(position, len(NAME_SIZES) - 1)]
        lines = simpleSplit(name, font, size, text_width)[:3]
        pdf.setFont(font, size)
        for line in lines:
            y -= size * LINE_GAP
            pdf.drawCentredString(x + PLATE_WIDTH / 2, y, line)
        y -= 1 * mm

    bottom = top - PLATE_HEIGHT + PADDING
    caption_height = CAPTION_SIZE * LINE_GAP if plate.caption else 0
    url_height = URL_SIZE * LINE_GAP
    side = min(QR_MAX_SIDE, y - 2 * mm - bottom - url_height - caption_height, text_width)
    qr_top = y - 2 * mm
    draw_qr(pdf, plate.short_url, x + (PLATE_WIDTH - side) / 2, qr_top - side, side)

    pdf.setFont("PlateMono", URL_SIZE)
    pdf.drawCentredString(x + PLATE_WIDTH / 2, qr_top - side - URL_SIZE * LINE_GAP,
                          plate.short_url)
    if plate.caption:
        pdf.setFont("PlateSans", CAPTION_SIZE)
        pdf.setFillGray(0.35)
        pdf.drawCentredString(x + PLATE_WIDTH / 2, bottom, plate.caption[:80])
        pdf.setFillGray(0)


def draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, side: float) -> None:
    """The QR code of url as filled squares in a side × side box whose lower left is (x, y);
    runs of dark modules in a row are one rectangle each, drawn in module units (whole
    numbers: a short content stream, written fast)."""
    matrix = qr_code(url).matrix
    modules = len(matrix) + 2 * BORDER_MODULES
    unit = side / modules
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(start, row_index, column - start, 1)
    pdf.saveState()
    # Module (0, 0) is the top left of the code inside its quiet zone; rows run downwards.
    pdf.translate(x + BORDER_MODULES * unit, y + side - BORDER_MODULES * unit)
    pdf.scale(unit, -unit)
    pdf.setFillGray(0)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()
