from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def lang_of(text, page_language: str):
    """` lang="xx"` when a card text is in another language than the page (a fallback)."""
    language = getattr(text, "language", page_language)
    if language == page_language:
        return ""
    return format_html(' lang="{}"', language)
