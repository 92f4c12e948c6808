import django_filters as df
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import get_language

from gis_portal.accounts.permissions import Action, areas_where
from layers.core.layer import POINT, Layer

from .models import StandInCase

# Grid of the public position, in degrees, and the precision it gives (half the cell's
# diagonal at Kazakhstan's latitudes, rounded up).
PUBLIC_GRID_DEGREES = 0.01
PUBLIC_PRECISION_M = 800


def _by_language(texts: dict) -> str:
    return lazy(lambda: texts.get((get_language() or "kk")[:2], texts["kk"]), str)()


class StandInCaseFilterSet(df.FilterSet):
    category = df.ChoiceFilter(choices=StandInCase.Category.choices)
    min_household_size = df.NumberFilter(field_name="household_size", lookup_expr="gte")

    class Meta:
        model = StandInCase
        fields = ["category", "min_household_size"]


class StandInCaseLayer(Layer):
    slug = "standin-cases"
    title = _by_language({"kk": "Көмек сұраулары (сынақ)", "ru": "Просьбы о помощи (тест)",
                          "en": "Requests for help (test)"})
    description = "Test-only private layer"
    model = StandInCase
    geometry_kind = POINT
    render_as_tiles = True
    min_zoom = 5
    max_zoom = 18
    geom_field = "geom"
    public_geometry_field = "public_geom"
    position_precision_m = PUBLIC_PRECISION_M
    public_fields = ("category", "household_size")
    tile_fields = ("category", "household_size")
    filterset_class = StandInCaseFilterSet
    ordering_fields = ("household_size", "category")
    stat_sums = ("household_size",)
    private = True
    hidden_fields = ("hidden_name", "hidden_amount", "geom", "published")
    visibility_depends_on_user = True

    def visible_queryset(self, request):
        """Published rows for everyone; unpublished ones for staff who may see personal data
        of their area."""
        rows = StandInCase.objects.filter(public_geom__isnull=False)
        roots = areas_where(getattr(request, "user", None), Action.VIEW_PRIVATE)
        if roots is None:
            return rows
        visible = Q(published=True)
        if roots:
            ids = [area.pk for area in roots]
            visible |= Q(oblast__in=ids) | Q(district__in=ids) | Q(okrug__in=ids)
        return rows.filter(visible)
