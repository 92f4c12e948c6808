"""{% load funding_tags %}: amounts of tenge as people of the active language write them."""

from django import template

from gis_portal.funding.actions import tenge as format_tenge

register = template.Library()


@register.filter
def tenge(amount) -> str:
    """1234567.5 → "1 234 567,50 ₸" (ru, kk) or "1,234,567.50 ₸" (en)."""
    if amount is None or amount == "":
        return ""
    return format_tenge(amount)
