"""The two heritage layers: monuments (points) and natural sites (points and outlines).

Both show whether a position is approximate (`approximate`: the map draws such points hollow
and dashed, and outlines dashed), the dataset's licence and attribution, how many photos a
record has, and the address of its page.
"""

from django.db.models import CharField, Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from gis_portal.accounts.permissions import Action, may
from gis_portal.photos.models import Photo
from layers.core.layer import POINT, POLYGON, Layer, localized

from .filters import MonumentFilterSet, NaturalSiteFilterSet
from .models import Monument, NaturalSite
from .sights import MONUMENT_LAYER, NATURE_LAYER


def photo_count(model):
    """Visible photos of each row: a correlated count, for the popup and the filter."""
    # The content type by its natural key: no query while the layer is registered.
    photos = (Photo.objects.filter(content_type__app_label=model._meta.app_label,
                                   content_type__model=model._meta.model_name,
                                   object_id=OuterRef("pk"), is_hidden=False)
              .order_by().values("object_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(photos, output_field=IntegerField()), Value(0))


def page_url(prefix: str):
    return Concat(Value(prefix), Cast("id", CharField()), Value("/"), output_field=CharField())


class HeritageLayer(Layer):
    min_zoom = 4
    max_zoom = 18
    render_as_tiles = False
    shown_by_default = False
    ordering_fields = ("name", "significance")
    # with_photos counts the photos of the row (its id).
    filter_reads = {"with_photos": ("id",)}
    field_labels = {"name": _("name"), "approximate": _("approximate position"),
                    "photos": _("photos"), "url": _("page"), "licence": _("licence"),
                    "attribution": _("attribution"), "id": _("number"),
                    "settlement": _("settlement KATO code"), "oblast": _("oblast"),
                    "district": _("district"), "okrug": _("rural okrug")}
    page_prefix = ""

    def visible_queryset(self, request):
        return self.model.objects.filter(is_published=True)

    def common_properties(self) -> dict:
        return {
            "id": "id", "name": localized("name"), "kind": "kind",
            "significance": "significance", "register_number": "register_number",
            "approximate": "position_approximate", "unesco_whc_id": "unesco_whc_id",
            "photos": photo_count(self.model), "url": page_url(self.page_prefix),
            "licence": F("dataset__licence"), "attribution": F("dataset__attribution"),
            "settlement": F("settlement__kato"), "oblast": F("oblast__kato"),
            "district": F("district__kato"), "okrug": F("okrug__kato"),
        }

    # QR plaques (gis_portal.plaques): every monument and site can carry a plate.
    plaques = True

    def plaque_card(self, obj, language: str) -> dict:
        """The plaque page's card: name, kind and significance, description and visiting
        information (each falling back to Kazakh, then Russian), facts, photos, a note when
        the position is approximate, and the object's own page."""
        from gis_portal.plaques.cards import default_plaque_card, text_in

        card = default_plaque_card(self, obj, language)
        card["subtitle"] = f"{capfirst(obj.get_kind_display())} · {obj.get_significance_display()}"
        card["paragraphs"] = [text_in(obj, "description", language),
                              text_in(obj, "visiting", language)]
        card["facts"] = self.plaque_facts(obj)
        card["approximate_note"] = (_("The position is approximate: the object is near this "
                                      "point, not exactly at it.")
                                    if obj.position_approximate else "")
        card["detail_url"] = f"{self.page_prefix}{obj.pk}/"
        return card

    def plaque_facts(self, obj) -> list:
        facts = []
        if obj.unesco_whc_id:
            facts.append((_("UNESCO World Heritage property"), str(obj.unesco_whc_id)))
        if obj.register_number:
            facts.append((_("Register number"), obj.register_number))
        if obj.dataset_id:
            facts.append((_("Source"), f"{obj.dataset.attribution} ({obj.dataset.licence})"))
        return facts

    def may_print_plaques(self, user, area) -> bool:
        """Culture-department staff (and akimat officers) print the plates of their area."""
        return may(user, Action.MANAGE_HERITAGE, area)


class MonumentLayer(HeritageLayer):
    slug = MONUMENT_LAYER
    title = _("Monuments of history and culture")
    description = _("Archaeology, architecture and urban planning, monumental art and "
                    "memorials, with their significance (UNESCO, republican, local), era, "
                    "protection status and condition. Positions marked approximate are only "
                    "roughly known (±5 km for the sights compiled for this portal from public "
                    "facts); each monument's page names its source and licence.")
    model = Monument
    geometry_kind = POINT
    style = {"color": "#8c2d04", "radius": 6, "fillColor": "#f16913", "fillOpacity": 0.9}
    public_fields = ()
    tile_fields = ("id", "name", "kind", "significance", "approximate")
    filterset_class = MonumentFilterSet
    page_prefix = "/heritage/monuments/"

    def properties(self):
        return {**self.common_properties(), "era": "era",
                "protection_status": "protection_status", "condition": "condition"}

    def plaque_facts(self, obj):
        return [(_("Era"), obj.get_era_display()),
                (_("Condition"), obj.get_condition_display()), *super().plaque_facts(obj)]


class NaturalSiteLayer(HeritageLayer):
    slug = NATURE_LAYER
    title = _("Natural sites")
    description = _("Recreational sites, natural landscapes and monuments, national parks and "
                    "nature reserves, lakes, canyons and peaks: points and outlines. Park and "
                    "reserve outlines: © OpenStreetMap contributors (ODbL 1.0), approximate, "
                    "not legal boundaries. Lakes, regions and peaks: Natural Earth (public "
                    "domain).")
    model = NaturalSite
    # Points (peaks, canyons) and outlines (lakes, parks) in one layer; drawn as polygons,
    # points as circles.
    geometry_kind = POLYGON
    style = {"color": "#006d2c", "weight": 1.2, "radius": 6, "fillColor": "#74c476",
             "fillOpacity": 0.25}
    tile_fields = ("id", "name", "kind", "significance", "approximate")
    filterset_class = NaturalSiteFilterSet
    page_prefix = "/heritage/nature/"

    def properties(self):
        return {**self.common_properties(), "elevation_m": "elevation_m",
                "area_km2": "area_km2"}
