"""The catalogue entry of a layer: what the map's layer switcher and filter panel are built
from, so no layer list or filter form lives in JavaScript."""

from django.urls import reverse
from django_filters import filters as df


def describe_filters(layer) -> list[dict]:
    if layer.filterset_class is None:
        return []
    described = []
    for name, flt in layer.filterset_class.base_filters.items():
        entry = {"name": name, "label": str(flt.label or layer.label_for(flt.field_name))}
        if isinstance(flt, df.ChoiceFilter | df.MultipleChoiceFilter):
            entry["type"] = "choice"
            choices = flt.extra.get("choices") or []
            if callable(choices):
                choices = choices()
            entry["choices"] = [{"value": str(v), "label": str(label)} for v, label in choices]
            entry["multiple"] = isinstance(flt, df.MultipleChoiceFilter)
        elif isinstance(flt, df.BooleanFilter):
            entry["type"] = "boolean"
        elif isinstance(flt, df.NumberFilter):
            entry["type"] = "number"
        elif isinstance(flt, df.DateFilter | df.DateFromToRangeFilter):
            entry["type"] = "date"
        else:
            entry["type"] = "text"
        described.append(entry)
    return described


def describe_layer(layer) -> dict:
    slug = layer.slug
    return {
        "slug": slug,
        "title": str(layer.title),
        "description": str(layer.description),
        "geometry": layer.geometry_kind,
        "style": layer.style,
        "min_zoom": layer.min_zoom,
        "max_zoom": layer.max_zoom,
        "render": "tiles" if layer.render_as_tiles else "geojson",
        "shown_by_default": layer.shown_by_default,
        # Private layers hold personal data: positions may be coarsened (by about this many
        # metres) and stats merge small groups.
        "private": layer.private,
        "position_precision_m": layer.position_precision_m,
        "fields": [{"name": n, "label": layer.label_for(n)} for n in layer.properties()],
        "tile_fields": list(layer.tile_fields),
        "filters": describe_filters(layer),
        "ordering": list(layer.ordering_fields),
        "stats": {
            "levels": ["oblast", "district", "okrug"],
            "measures": ["count", *layer.stat_sums],
        },
        "urls": {
            "geojson": reverse("layers:list", args=[slug]),
            "stats": reverse("layers:stats", args=[slug]),
            "tiles": reverse("tiles:tile", args=[slug, 0, 0, 0]).replace("/0/0/0.mvt",
                                                                          "/{z}/{x}/{y}.mvt"),
            "tilejson": reverse("tiles:tilejson", args=[slug]),
            "export": {fmt: reverse("layers:export", args=[slug, fmt])
                       for fmt in layer.export_formats},
        },
    }
