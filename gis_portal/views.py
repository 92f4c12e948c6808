from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from layers.areas.layers import AdminAreaLayer, SettlementLayer

# Placeholder KATO code reversed into the area-detail URL; the map substitutes the real one.
_KATO_PLACEHOLDER = "000000000"


def map_config() -> dict:
    """Everything the map script needs to start, passed as JSON (json_script): view and
    basemap come from django-leaflet's LEAFLET_CONFIG, API addresses from the URLconf, so
    the script holds no setting, path or layer list of its own."""
    leaflet = settings.LEAFLET_CONFIG
    min_lon, min_lat, max_lon, max_lat = leaflet["SPATIAL_EXTENT"]
    tiles = leaflet.get("TILES") or []
    basemap = None
    if tiles:
        _title, url, options = tiles[0]
        basemap = {"url": url, "attribution": options.get("attribution", "")}
    return {
        "center": list(leaflet["DEFAULT_CENTER"]),
        "zoom": leaflet["DEFAULT_ZOOM"],
        "minZoom": leaflet["MIN_ZOOM"],
        "maxZoom": leaflet["MAX_ZOOM"],
        "extent": [[min_lat, min_lon], [max_lat, max_lon]],
        "basemap": basemap,
        # The reference layer drawn as the administrative outlines (zoom-dependent levels).
        "areasLayer": AdminAreaLayer.slug,
        # Its features link to their settlement page (position, corrections, reports).
        "settlementsLayer": SettlementLayer.slug,
        "attribution": _("Boundaries: geokz, OCHA COD-AB (CC BY 4.0); "
                         "settlements: © OpenStreetMap contributors (ODbL)"),
        "urls": {
            "catalogue": reverse("layers:catalogue"),
            "areas": reverse("areas:list"),
            "areaDetail": reverse("areas:detail", args=[_KATO_PLACEHOLDER]),
            "lookup": reverse("areas:lookup"),
            "settlement": reverse("settlements:detail", args=[_KATO_PLACEHOLDER]),
        },
        "katoPlaceholder": _KATO_PLACEHOLDER,
    }


class MapView(TemplateView):
    """The interactive map: layers, filters and areas all come from the API."""

    template_name = "map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["map_config"] = map_config()
        return context
