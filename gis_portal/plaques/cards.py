"""What a plaque page shows: the visitor's language and the object's card in it.

A layer builds the card (Layer.plaque_card, layers/core/layer.py); this module gives it the
pieces: `text_in` reads one kk/ru/en field group with the programme's fallback (the asked
language, then Kazakh, then Russian) and says which language it found, so the page can mark a
fallback with its own lang attribute. `Card` is the checked, normalised form the template
renders.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
# The programme's order after the visitor's own language.
FALLBACK_ORDER = ("kk", "ru")
# Photos a plaque page shows at most: it must stay light on a slow connection.
MAX_PHOTOS = 3


@dataclass(frozen=True)
class LocalText:
    """A text and the language it is written in."""

    text: str
    language: str

    def __str__(self):
        return self.text


def text_in(obj, prefix: str, language: str) -> LocalText | None:
    """obj.<prefix>_<language>, else _kk, else _ru (else _en): the first that is not empty,
    with its language. None when the object has no text in any of them."""
    for candidate in dict.fromkeys((language, *FALLBACK_ORDER, "en")):
        value = getattr(obj, f"{prefix}_{candidate}", "") or ""
        if str(value).strip():
            return LocalText(str(value), candidate)
    return None


def visitor_language(request) -> str:
    """The language a plaque page is shown in: an explicit choice (?lang=, or the cookie of
    the site's language switch) wins; otherwise the first of kk/ru/en in the phone's
    Accept-Language, by preference; otherwise Kazakh."""
    for chosen in (request.GET.get("lang"), request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        if chosen in LANGUAGES:
            return chosen
    header = request.headers.get("Accept-Language", "")
    for tag, quality in parse_accept_lang_header(header[:500]):
        primary = tag.split("-")[0]
        if quality > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


@dataclass
class Card:
    """A layer's plaque_card() dict, checked: every text a LocalText, nothing missing."""

    title: LocalText
    subtitle: LocalText | None = None
    paragraphs: list[LocalText] = field(default_factory=list)
    facts: list[tuple[str, LocalText]] = field(default_factory=list)
    photos: list[dict] = field(default_factory=list)
    approximate_note: str = ""
    detail_url: str = ""

    KEYS = ("title", "subtitle", "paragraphs", "facts", "photos", "approximate_note",
            "detail_url")

    @classmethod
    def from_layer(cls, layer, obj, language: str) -> "Card":
        raw = layer.plaque_card(obj, language)
        unknown = set(raw) - set(cls.KEYS)
        if unknown:
            raise ImproperlyConfigured(
                f"layer {layer.slug!r}: plaque_card returned unknown keys {sorted(unknown)}; "
                f"allowed: {', '.join(cls.KEYS)}")

        def local(value) -> LocalText | None:
            if value is None or isinstance(value, LocalText):
                return value if value is None or value.text.strip() else None
            text = str(value)
            return LocalText(text, language) if text.strip() else None

        title = local(raw.get("title"))
        if title is None:
            # Every public object has a name in some language; a nameless one still gets a
            # page that says what it is.
            title = LocalText(str(layer.title), language)
        paragraphs = [text for text in map(local, raw.get("paragraphs") or []) if text]
        facts = [(str(label), local(value)) for label, value in raw.get("facts") or []]
        return cls(
            title=title,
            subtitle=local(raw.get("subtitle")),
            paragraphs=paragraphs,
            facts=[(label, value) for label, value in facts if value is not None],
            photos=list(raw.get("photos") or [])[:MAX_PHOTOS],
            approximate_note=str(raw.get("approximate_note") or ""),
            detail_url=str(raw.get("detail_url") or ""),
        )


def _display_value(obj, name: str) -> str:
    """A public field's value as people read it: the label of a choice, yes/no, a number."""
    try:
        model_field = obj._meta.get_field(name)
    except Exception:  # a public name that is not a model field: read it as an attribute
        model_field = None
    value = getattr(obj, name, None)
    if model_field is not None and model_field.choices and value not in (None, ""):
        value = getattr(obj, f"get_{name}_display")()
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else ""
    if value is None or isinstance(value, models.Model):
        return ""
    return str(value)


def object_photos(obj) -> list[dict]:
    """Thumbnails of the object's public photos (gis_portal.photos), at most MAX_PHOTOS."""
    from gis_portal.photos.actions import photos_of

    return [{"url": photo.thumbnail_url, "alt": photo.caption}
            for photo in photos_of(obj)[:MAX_PHOTOS]]


def default_plaque_card(layer, obj, language: str) -> dict:
    """Layer.plaque_card's default: name, what the object is (the model's verbose name),
    public fields, photos, and a note when the object says its position is approximate."""
    facts = []
    for name in layer.public_fields:
        if name.startswith("name"):
            continue
        value = _display_value(obj, name)
        if value:
            facts.append((capfirst(layer.label_for(name)), value))
    return {
        "title": text_in(obj, "name", language),
        "subtitle": capfirst(layer.model._meta.verbose_name),
        "facts": facts,
        "photos": object_photos(obj),
        "approximate_note": (_("The position of this place is approximate.")
                             if getattr(obj, "approximate", False) is True else ""),
    }
