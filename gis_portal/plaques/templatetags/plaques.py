"""Template helpers of QR plaques.

- `{% lang_of text page_language %}`: ` lang="xx"` on an element whose card text fell back to
  another language than the page's.
- `{% plaque_box layer obj %}`: for an object's own page (a monument, a natural site): its
  short URL, its QR code and links to the SVG and PNG for printing. The plaque is made on
  first use; nothing is shown for objects that are not public or layers without plaques.
"""

from django import template
from django.utils.html import format_html

from gis_portal.plaques import actions

register = template.Library()


@register.simple_tag
def lang_of(text, page_language: str):
    language = getattr(text, "language", page_language)
    if language == page_language:
        return ""
    return format_html(' lang="{}"', language)


@register.inclusion_tag("plaques/_plaque_box.html")
def plaque_box(layer, obj):
    """layer: the layer's slug (or the Layer itself)."""
    try:
        layer = actions.plaque_layer(getattr(layer, "slug", layer))
        plaque = actions.plaque_for(layer=layer, obj=obj)
    except actions.NotFound:
        return {"plaque": None}
    return {"plaque": plaque}
