"""QR codes of plaques (segno): the absolute short URL, as SVG and PNG.

Error correction level Q (25 % of the code may be lost): a plate outdoors gets scratched,
faded and dirty, and a phone must still read it. segno raises the level further when the
URL leaves room in the chosen size (boost_error).
"""

import io
import re

import segno

ERROR_LEVEL = "q"
# The quiet zone the QR standard asks for, in modules.
BORDER_MODULES = 4
# Pixels per module of the PNG: ~330 px for a short URL, sharp on a phone and in a document.
PNG_SCALE = 10
# Units per module of the SVG; it scales freely (viewBox), this is only its default size.
SVG_SCALE = 8


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_LEVEL, micro=False)


SVG_SIZE = re.compile(rb'width="(\d+)" height="(\d+)"')


def qr_svg(url: str, title: str = "") -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="svg", scale=SVG_SCALE, border=BORDER_MODULES,
                      xmldecl=False, title=title or url, svgclass=None, lineclass=None)
    # A default size and a viewBox: the file scales to any plate size in a layout program.
    return SVG_SIZE.sub(rb'width="\1" height="\2" viewBox="0 0 \1 \2"', buffer.getvalue(),
                        count=1)


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=PNG_SCALE, border=BORDER_MODULES)
    return buffer.getvalue()
