"""The two reference layers: administrative areas (polygons) and settlements (points)."""

from collections import defaultdict

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from layers.core.layer import POINT, POLYGON, Layer, localized

from .filters import AdminAreaFilterSet, SettlementFilterSet
from .models import AdminArea, Settlement

# Polygons drawn at z ≤ this zoom use the simplified overview geometry.
OVERVIEW_MAX_ZOOM = 8


class AdminAreaLayer(Layer):
    slug = "areas"
    title = _("Administrative areas")
    description = _("Oblasts, districts and rural okrugs of the current boundary generation. "
                    "Rural okrug boundaries are approximate.")
    model = AdminArea
    geometry_kind = POLYGON
    style = {"color": "#1f4e79", "weight": 1.2, "fillColor": "#9ecae1", "fillOpacity": 0.15}
    min_zoom = 3
    max_zoom = 14
    render_as_tiles = True
    shown_by_default = True
    public_fields = ("kato", "level", "kind", "approximate", "geometry_note", "area_km2")
    tile_fields = ("kato", "name", "level", "approximate")
    field_labels = {"name": _("name"), "parent": _("parent KATO code")}
    filterset_class = AdminAreaFilterSet
    ordering_fields = ("kato", "area_km2")
    stat_sums = ("area_km2",)
    area_tagged = False
    overview_geometry_fields = ("geom_simplified",)

    def visible_queryset(self, request):
        return AdminArea.objects.filter(generation__is_current=True, geom__isnull=False)

    def properties(self):
        return {"kato": "kato", "name": localized("name"), "level": "level", "kind": "kind",
                "parent": F("parent__kato"), "approximate": "approximate",
                "geometry_note": "geometry_note", "area_km2": "area_km2"}

    def geometry_for_zoom(self, zoom):
        if zoom is not None and zoom <= OVERVIEW_MAX_ZOOM:
            return "geom_simplified"
        return "geom"

    def filter_by_area(self, queryset, area):
        """The area itself and everything below it."""
        return queryset.filter(Q(pk=area.pk) | Q(parent_id=area.pk)
                               | Q(parent__parent_id=area.pk))

    def stats_queryset(self, queryset, level):
        return None  # counted by walking the area tree: see stats()

    def stats(self, queryset, level):
        """Areas counted (and km² summed) under each area of the given level."""
        rows = queryset.values("id", "level", "area_km2", "parent_id", "parent__parent_id")
        groups = defaultdict(lambda: {"count": 0, "area_km2": 0.0})
        for row in rows:
            chain = [row["id"], row["parent_id"], row["parent__parent_id"]]
            owner = _ancestor_at_level(row["level"], chain, level)
            if owner is None:
                continue
            groups[owner]["count"] += 1
            groups[owner]["area_km2"] += row["area_km2"] or 0.0
        areas = AdminArea.objects.in_bulk(list(groups))
        return [
            {"kato": areas[pk].kato, "name": areas[pk].names(),
             "approximate": areas[pk].approximate, "count": g["count"],
             "area_km2": round(g["area_km2"], 1)}
            for pk, g in sorted(groups.items(), key=lambda item: areas[item[0]].kato)
        ]


DEPTH = {"oblast": 0, "district": 1, "okrug": 2}


def _ancestor_at_level(row_level: str, chain: list, level: str):
    """chain is [id, parent id, grandparent id] of an area at row_level."""
    steps_up = DEPTH[row_level] - DEPTH[level]
    return chain[steps_up] if 0 <= steps_up < len(chain) else None


class SettlementLayer(Layer):
    slug = "settlements"
    title = _("Settlements")
    description = _("Cities, towns and villages of the KATO classifier, placed where "
                    "OpenStreetMap or GeoNames knows them, otherwise approximately (at the "
                    "okrug's centre village or inside the okrug or district); each point says "
                    "its source and precision in metres. Population where known.")
    model = Settlement
    geometry_kind = POINT
    style = {"color": "#b35806", "radius": 4, "fillColor": "#fdb863", "fillOpacity": 0.9}
    min_zoom = 5
    max_zoom = 18
    render_as_tiles = True
    shown_by_default = True
    public_fields = ("kato", "kind", "population", "osm_place", "match", "position_source",
                     "position_precision_m", "former_names")
    tile_fields = ("kato", "name", "population", "osm_place", "position_source",
                   "position_precision_m")
    field_labels = {"name": _("name"), "oblast": _("oblast"), "district": _("district"),
                    "okrug": _("rural okrug"), "former_names": _("former names"),
                    "district_name": _("district name"), "oblast_name": _("oblast name")}
    filterset_class = SettlementFilterSet
    # q searches the names in every language (and name_search, the Latin keys of the same
    # names and of the former names); geocoded asks whether the point is known.
    filter_reads = {"q": ("name_kk", "name_ru", "name_en", "former_names"),
                    "geocoded": ("geom",)}
    # name sorts by the name in the reader's language.
    ordering_fields = ("population", "kato", "name")
    stat_sums = ("population",)
    # A village's name plate can carry a QR code to its page (gis_portal.plaques).
    plaques = True

    def properties(self):
        return {"kato": "kato", "name": localized("name"), "kind": "kind",
                "population": "population", "osm_place": "osm_place", "match": "match",
                "position_source": "position_source",
                "position_precision_m": "position_precision_m",
                "former_names": "former_names",
                # Names of its district and oblast, so a list of namesakes ("Ақсу" is a
                # village in most districts) says which is which.
                "district_name": localized("district__name"),
                "oblast_name": localized("oblast__name"),
                "oblast": F("oblast__kato"), "district": F("district__kato"),
                "okrug": F("okrug__kato")}
