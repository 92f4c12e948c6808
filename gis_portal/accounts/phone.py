"""Kazakhstan phone numbers in one form (+7XXXXXXXXXX), so sign-in by phone finds the user
however the number was typed."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalise_phone(raw: str) -> str:
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    if len(digits) != 11 or digits[0] != "7":
        raise ValidationError(_("Enter a Kazakhstan phone number, e.g. +7 701 234 56 78."))
    return "+" + digits


def looks_like_phone(value: str) -> bool:
    return "@" not in value and bool(re.search(r"\d{6,}", re.sub(r"\D", "", value or "")))
