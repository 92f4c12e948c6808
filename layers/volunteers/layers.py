"""The anonymised public list of volunteers: a private layer over VolunteerCard, the release
layers.volunteers.anonymity builds. Its public surface is the shown age, gender and place,
and what the volunteer offers (directions, weekly hours, car, languages). The card's link to
the questionnaire is hidden: registration refuses any ordering, filter, tile or sum that
would reach it. Every card of one place is drawn at the same point of that area."""

from django.db.models import TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.functional import lazy
from django.utils.translation import get_language

from layers.core.layer import POINT, Layer, localized

from .filters import VolunteerCardFilterSet
from .models import VolunteerCard

# A card is drawn at a point of its okrug or district: about this far from the volunteer.
PUBLIC_PRECISION_M = 20000


def _by_language(texts: dict) -> str:
    return lazy(lambda: texts.get((get_language() or "kk")[:2], texts["kk"]), str)()


class VolunteerLayer(Layer):
    slug = "volunteers"
    title = _by_language({"kk": "Еріктілер", "ru": "Волонтёры", "en": "Volunteers"})
    description = _by_language({
        "kk": "Еріктілердің анонимді тізімі: аты-жөні мен байланыстары жоқ, жасы аралықпен, "
              "орны округ деңгейінде немесе одан кеңірек көрсетіледі.",
        "ru": "Анонимный список волонтёров: без имён и контактов, возраст диапазоном, место — "
              "сельский округ или шире.",
        "en": "The anonymised list of volunteers: no names or contacts, age as a band, place "
              "at rural okrug level or wider.",
    })
    model = VolunteerCard
    geometry_kind = POINT
    style = {"color": "#1e6b52", "fillColor": "#27ae60", "radius": 5, "icon": "volunteer"}
    render_as_tiles = True
    min_zoom = 4
    max_zoom = 14
    geom_field = "geom"
    position_precision_m = PUBLIC_PRECISION_M
    filterset_class = VolunteerCardFilterSet
    filter_reads = {
        "direction": ("directions",),
        "language": ("languages",),
        "day": ("days", "slots"),
        "hour_from": ("days", "slots"),
        "hour_to": ("days", "slots"),
    }
    ordering_fields = ("age", "place")
    tile_fields = ("age", "gender", "directions", "has_car")
    private = True
    hidden_fields = ("volunteer",)
    visibility_depends_on_user = True
    field_labels = {
        "age": _by_language({"kk": "Жасы", "ru": "Возраст", "en": "Age"}),
        "gender": _by_language({"kk": "Жынысы", "ru": "Пол", "en": "Gender"}),
        "place": _by_language({"kk": "Орны (КАТО)", "ru": "Место (КАТО)",
                               "en": "Place (KATO)"}),
        "place_name": _by_language({"kk": "Орны", "ru": "Место", "en": "Place"}),
        "directions": _by_language({"kk": "Бағыттар", "ru": "Направления",
                                    "en": "Directions"}),
        "days": _by_language({"kk": "Күндер", "ru": "Дни", "en": "Days"}),
        "slots": _by_language({"kk": "Апталық сағаттар", "ru": "Часы в неделю",
                               "en": "Weekly hours"}),
        "name": _by_language({"kk": "Ерікті", "ru": "Волонтёр", "en": "Volunteer"}),
        "url": _by_language({"kk": "Бет", "ru": "Страница", "en": "Page"}),
    }

    def properties(self):
        place_name = Coalesce(localized("okrug__name"), localized("district__name"),
                              localized("oblast__name"), output_field=TextField())
        return {
            "age": "age_shown",
            "gender": "gender_shown",
            "place": "place_kato",
            "place_level": "place_level",
            "place_name": place_name,
            "directions": "directions",
            "days": "days",
            "slots": "slots",
            "has_car": "has_car",
            "languages": "languages",
            "name": Concat(Value("#"), Cast("id", TextField()), Value(" · "), place_name,
                           output_field=TextField()),
            "url": Concat(Value("/volunteers/"), Cast("id", TextField()), Value("/"),
                          output_field=TextField()),
        }

    def visible_queryset(self, request):
        """The release is the same for everyone: cards exist only for listed volunteers."""
        return VolunteerCard.objects.all()
