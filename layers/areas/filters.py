import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from data.boundaries.names import latin_key

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
        """Any spelling of the name: as written in Kazakh, Russian or English, or in Latin
        letters ("Almaty", "Qaraghandy" or "Karaganda", "Ust-Kamenogorsk"), compared through
        the Latin keys of the Kazakh and Russian names."""
        matches = (Q(name_kk__icontains=value) | Q(name_ru__icontains=value)
                   | Q(name_en__icontains=value))
        key = latin_key(value)
        if key:
            matches |= Q(name_search__contains=key)
        return queryset.filter(matches)

    def filter_geocoded(self, queryset, name, value):
        return queryset.filter(geom__isnull=not value)
