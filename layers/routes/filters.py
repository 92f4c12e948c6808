import django_filters as df
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .models import MONTHS, EcoRoute


class EcoRouteFilterSet(df.FilterSet):
    """Kind, difficulty, a month of the season and a length range; area and "within N km of
    me" (near=lon,lat&within=km) are the framework's own parameters."""

    kind = df.ChoiceFilter(label=_("kind"), choices=EcoRoute.Kind.choices)
    difficulty = df.ChoiceFilter(label=_("difficulty"), choices=EcoRoute.Difficulty.choices)
    season = df.ChoiceFilter(label=_("open in month"), choices=MONTHS, method="filter_season")
    min_length_km = df.NumberFilter(label=_("length at least, km"), field_name="length_km",
                                    lookup_expr="gte")
    max_length_km = df.NumberFilter(label=_("length at most, km"), field_name="length_km",
                                    lookup_expr="lte")
    sample = df.BooleanFilter(label=_("sample route"), field_name="is_sample")

    class Meta:
        model = EcoRoute
        fields = ["kind", "difficulty", "season", "min_length_km", "max_length_km", "sample"]

    def filter_season(self, queryset, name, value):
        """A season from start to end month; a start after the end wraps over the new year."""
        month = int(value)
        plain = Q(season_start_month__lte=month, season_end_month__gte=month)
        wrapping = Q(season_start_month__gt=F("season_end_month")) & (
            Q(season_start_month__lte=month) | Q(season_end_month__gte=month))
        return queryset.filter(plain | wrapping)

