import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AdminArea, Settlement


class AdminAreaFilterSet(df.FilterSet):
    level = df.ChoiceFilter(label=_("level"), choices=AdminArea.Level.choices)
    parent = df.CharFilter(label=_("parent KATO code"), field_name="parent__kato")
    approximate = df.BooleanFilter(label=_("approximate boundary"))

    class Meta:
        model = AdminArea
        fields = ["level", "parent", "approximate"]


class SettlementFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("name contains"), method="filter_name")
    min_population = df.NumberFilter(label=_("population at least"), field_name="population",
                                     lookup_expr="gte")
    geocoded = df.BooleanFilter(label=_("on the map"), method="filter_geocoded")

    class Meta:
        model = Settlement
        fields = ["q", "min_population", "geocoded"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(
            Q(name_kk__icontains=value) | Q(name_ru__icontains=value) | Q(name_en__icontains=value)
        )

    def filter_geocoded(self, queryset, name, value):
        return queryset.filter(geom__isnull=not value)
