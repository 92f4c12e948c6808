"""The Layer: one explicit class per map layer.

A layer names its model, title, geometry kind, public properties, filters, style, zoom range,
tile properties and its visibility rule. The registry turns every registered layer into the
same surface: catalogue entry, GeoJSON list and detail, per-area stats, MVT tiles, TileJSON
and exports. Nothing outside the layer class decides what a layer shows.
"""

from django.db.models import Expression, F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django_filters import FilterSet

POINT, LINE, POLYGON = "point", "line", "polygon"


def localized(field_prefix: str) -> Expression:
    """The active language's value of a kk/ru/en field group, falling back to Kazakh."""
    language = (get_language() or "kk")[:2]
    if language not in ("kk", "ru", "en"):
        language = "kk"
    fallback = Coalesce(NullIf(F(f"{field_prefix}_kk"), Value("")), F(f"{field_prefix}_ru"))
    if language == "kk":
        return fallback
    return Coalesce(NullIf(F(f"{field_prefix}_{language}"), Value("")), fallback)


class Layer:
    # Identity and presentation
    slug: str = ""
    title = ""
    description = ""
    model = None
    geometry_kind: str = POINT
    # Colour, stroke and fill for Leaflet; icon is a name the map's legend knows.
    style: dict = {}
    min_zoom: int = 3
    max_zoom: int = 18
    # Dense layers are drawn from vector tiles, small ones from GeoJSON.
    render_as_tiles: bool = False
    shown_by_default: bool = False

    # Data surface
    geom_field: str = "geom"
    public_fields: tuple[str, ...] = ()
    tile_fields: tuple[str, ...] = ()
    field_labels: dict = {}
    filterset_class: type[FilterSet] | None = None
    ordering_fields: tuple[str, ...] = ()
    # Numeric properties summed per area in stats, next to the feature count.
    stat_sums: tuple[str, ...] = ()
    # Layers whose model is an AreaTaggedModel: area= filter and stats work through the tags.
    area_tagged: bool = True
    export_formats: tuple[str, ...] = ("csv", "geojson", "gpkg")

    def __init__(self):
        if not self.slug or self.model is None:
            raise TypeError(f"{type(self).__name__} must set slug and model")

    # --- visibility -------------------------------------------------------------------------
    def visible_queryset(self, request) -> QuerySet:
        """Rows this request may see. Layers with private or unpublished rows override this."""
        return self.model._default_manager.all()

    # --- properties ---------------------------------------------------------------------------
    def properties(self) -> dict[str, str | Expression]:
        """Output name → ORM path or expression for the GeoJSON properties."""
        return {name: name for name in self.public_fields}

    def tile_properties(self) -> dict[str, str | Expression]:
        every = self.properties()
        return {name: every[name] for name in self.tile_fields}

    def geometry_for_zoom(self, zoom: int | None) -> str:
        """The geometry column to draw at this zoom (None: full detail, e.g. GeoJSON)."""
        return self.geom_field

    def label_for(self, name: str) -> str:
        if name in self.field_labels:
            return str(self.field_labels[name])
        try:
            return str(self.model._meta.get_field(name).verbose_name)
        except Exception:  # a computed property has no model field
            return name

    # --- area filter ------------------------------------------------------------------------
    def filter_by_area(self, queryset: QuerySet, area) -> QuerySet:
        """Rows inside an administrative area: an indexed join on the area tags."""
        return queryset.filter(**{f"{area.level}_id": area.pk})

    # --- per-area statistics ----------------------------------------------------------------
    def stats(self, queryset: QuerySet, level: str) -> list[dict]:
        """Feature count and sums per area of one level: a GROUP BY over the area tags."""
        from django.db.models import Count, Sum

        columns = [f"{level}__kato", f"{level}__name_kk", f"{level}__name_ru",
                   f"{level}__name_en", f"{level}__approximate"]
        sums = {f"_sum_{name}": Sum(name) for name in self.stat_sums}
        rows = queryset.order_by().values(*columns).annotate(_count=Count("pk"), **sums)
        result = []
        for row in rows.order_by(f"{level}__kato"):
            entry = {
                "kato": row[columns[0]],
                "name": {"kk": row[columns[1]], "ru": row[columns[2]], "en": row[columns[3]]},
                "approximate": bool(row[columns[4]]),
                "count": row["_count"],
            }
            for name in self.stat_sums:
                entry[name] = row[f"_sum_{name}"]
            result.append(entry)
        return result
