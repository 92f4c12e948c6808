"""The eco-tourism routes layer (lines): sample routes say so; the map draws the simplified
track, exports and GPX/KML keep the full one."""

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from layers.core.layer import LINE, Layer, localized

from .filters import EcoRouteFilterSet
from .models import EcoRoute


class EcoRouteLayer(Layer):
    slug = "eco-routes"
    title = _("Eco-tourism routes")
    description = _("Hiking, horse, cycling, car and water routes of the regions, managed by "
                    "the staff of their area: kind, length on the ellipsoid, duration, "
                    "difficulty and season. Sample routes are marked as samples.")
    model = EcoRoute
    geometry_kind = LINE
    style = {"color": "#1a7f37", "weight": 3, "opacity": 0.9, "dashArray": "6 4"}
    min_zoom = 4
    max_zoom = 18
    render_as_tiles = False
    shown_by_default = False
    tile_fields = ("name", "kind", "difficulty", "length_km", "is_sample")
    field_labels = {"name": _("name"), "organisation": _("responsible organisation"),
                    "start_settlement": _("start settlement (KATO)"),
                    "end_settlement": _("end settlement (KATO)"), "oblast": _("oblast"),
                    "district": _("district"), "url": _("page")}
    filterset_class = EcoRouteFilterSet
    filter_reads = {"season": ("season_start_month", "season_end_month")}
    ordering_fields = ("length_km", "name", "duration_hours")
    stat_sums = ("length_km",)

    def visible_queryset(self, request):
        return EcoRoute.objects.filter(published=True)

    def properties(self):
        return {
            "name": localized("name"), "kind": "kind", "difficulty": "difficulty",
            "length_km": "length_km", "duration_hours": "duration_hours",
            "season_start_month": "season_start_month",
            "season_end_month": "season_end_month",
            "organisation": "organisation", "is_sample": "is_sample",
            "start_settlement": F("start_settlement__kato"),
            "end_settlement": F("end_settlement__kato"),
            "oblast": F("oblast__kato"), "district": F("district__kato"),
            # The route's page (map popups link its name there).
            "url": Concat(Value("/routes/"), Cast("id", CharField()), Value("/"),
                          output_field=CharField()),
        }
