"""The anonymised public list of volunteers: a private layer over VolunteerCard, the release
layers.volunteers.anonymity builds. Its public surface is the shown age, gender and place,
and what the volunteer offers (directions, weekly hours, car, languages). The card's link to
the questionnaire is hidden: registration refuses any ordering, filter, tile or sum that
would reach it. Every card of one place is drawn at the same point of that area."""

from django.db.models import TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext_lazy as _

from layers.core.layer import POINT, Layer, localized

from .aggregates import AGGREGATE_MAX_ZOOM, aggregate_tile_query
from .filters import VolunteerCardFilterSet
from .models import VolunteerCard

# A card is drawn at a point of its okrug or district: about this far from the volunteer.
PUBLIC_PRECISION_M = 20000


class VolunteerLayer(Layer):
    slug = "volunteers"
    title = _("Volunteers")
    description = _("The anonymised list of volunteers: no names or contacts, age "
                    "as a band, place at rural okrug level or wider.")
    model = VolunteerCard
    geometry_kind = POINT
    style = {"color": "#1e6b52", "fillColor": "#27ae60", "radius": 5, "icon": "volunteer"}
    render_as_tiles = True
    min_zoom = 4
    max_zoom = 14
    # z <= 9: one point per oblast/district/okrug with its count (see aggregates.py).
    aggregate_tiles_max_zoom = AGGREGATE_MAX_ZOOM
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
        "age": _("Age"),
        "gender": _("Gender"),
        "place": _("Place (KATO)"),
        "place_name": _("Place"),
        "directions": _("Directions"),
        "days": _("Days"),
        "slots": _("Weekly hours"),
        "name": _("Volunteer"),
        "url": _("Page"),
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

    def visibility_key(self, request):
        # The release is the same for everyone: every viewer shares compiled statements.
        return "public"

    def visible_queryset(self, request):
        """The release is the same for everyone: cards exist only for listed volunteers."""
        return VolunteerCard.objects.all()

    def aggregate_tile_query(self, request, zoom):
        return aggregate_tile_query(request, zoom)
