"""The public description must not carry personal data: text that looks like a phone number,
an IIN, an e-mail address or a street address is refused, with a message naming what to
remove (never quoting it: error messages are logged and shown)."""

import re

from django.utils.translation import gettext as _

DESCRIPTION_MAX_CHARS = 1000

IIN = re.compile(r"(?<!\d)\d{12}(?!\d)")
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]{2,}")
# +7 701 234 56 78, 8(701)2345678, 87012345678, and village numbers such as 2-12-34.
PHONE = re.compile(
    r"(?:\+\s*7|(?<!\d)[78])[\s\-().]*\d{3}[\s\-().]*\d{3}[\s\-.]*\d{2}[\s\-.]*\d{2}(?!\d)"
    r"|(?<![\d-])\d{1,3}-\d{2}-\d{2}(?![\d-])"
)
# A street word next to a number (either order), or a house/flat number.
_STREET_WORDS = (r"ул\.|улиц[аеыу]|пр-т|просп\.|проспект|переул\w*|мкр\.?|микрорайон\w*|"
                 r"кв\.|квартир\w*|көшесі|көш\.|даңғыл\w*|шағын\s*аудан\w*|пәтер\w*|"
                 r"street|st\.|avenue|ave\.|apt\.?|apartment|flat")
ADDRESS = re.compile(
    rf"(?i)(?<!\w)(?:{_STREET_WORDS})[^\n\d]{{0,30}}\d"
    rf"|\d+\s*[-–]?\s*(?:{_STREET_WORDS})"
    r"|(?<!\w)(?:д\.|дом|үй)\s*№?\s*\d+"
)


def personal_data_in(text: str) -> str | None:
    """The message saying what to remove, or None when the text looks clean."""
    text = text or ""
    if IIN.search(text):
        return _("Remove the IIN from the public description: an identity number is never "
                 "published.")
    if EMAIL.search(text):
        return _("Remove the e-mail address from the public description: contacts are kept "
                 "apart and shown only to helpers whose identity is confirmed.")
    if PHONE.search(text):
        return _("Remove the phone number from the public description: contacts are kept "
                 "apart and shown only to helpers whose identity is confirmed.")
    if ADDRESS.search(text):
        return _("Remove the street address (street, house or flat number) from the public "
                 "description: the map shows the settlement only.")
    return None
