"""Filters of the help layer, exactly as the programme lists them: region (the core's
`area=` KATO code of an oblast, district or okrug), topic, publication date, age, family
situation and kind of help; "near me" is the core's `near=lon,lat&within=km`, measured to the
public point and rounded. The map's filter panel is built from these (layers.core.describe)."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from .models import AGE_BAND_CHOICES, AGE_BANDS, OLDEST_AGE, FamilySituation, HelpKind, HelpRequest


def _kind_choices():
    return [(kind.code, kind.name()) for kind in HelpKind.objects.filter(is_active=True)]


def _family_choices():
    return [(tag.code, tag.name()) for tag in FamilySituation.objects.filter(is_active=True)]


def bands_overlapping(low: int | None, high: int | None) -> list[str]:
    """Age bands that share at least one year with [low, high] (either end open)."""
    low = 0 if low is None else low
    high = OLDEST_AGE if high is None else high
    return [code for code, band_low, band_high in AGE_BANDS
            if band_low <= high and (band_high is None or band_high >= low)]


class HelpRequestFilterSet(df.FilterSet):
    topic = df.ChoiceFilter(field_name="topic", choices=HelpRequest.Topic.choices,
                            label=_("Topic"))
    kind = df.ChoiceFilter(field_name="kind_id", choices=_kind_choices,
                           label=_("Kind of help"))
    family = df.MultipleChoiceFilter(choices=_family_choices, method="filter_family",
                                     label=_("Family situation"))
    age_band = df.MultipleChoiceFilter(field_name="age_band", choices=AGE_BAND_CHOICES,
                                       label=_("Age band"))
    age_from = df.NumberFilter(method="filter_age_from", label=_("Age from"), min_value=0,
                               max_value=OLDEST_AGE)
    age_to = df.NumberFilter(method="filter_age_to", label=_("Age up to"), min_value=0,
                             max_value=OLDEST_AGE)
    published_after = df.DateFilter(field_name="published_on", lookup_expr="gte",
                                    label=_("Published from"))
    published_before = df.DateFilter(field_name="published_on", lookup_expr="lte",
                                     label=_("Published until"))
    # "Near me": the core applies near= and within= (distances to the public point, rounded);
    # declared here so the map's filter panel offers them.
    near = df.CharFilter(method="near_me", label=_("Near me (longitude,latitude)"))
    within = df.NumberFilter(method="near_me", label=_("Within, km"))
    status = df.ChoiceFilter(field_name="status", label=_("Status"),
                             choices=[(s.value, s.label) for s in HelpRequest.PUBLIC_STATUSES])

    class Meta:
        model = HelpRequest
        fields = []

    def near_me(self, queryset, name, value):
        return queryset  # layers.core.query.LayerQuery filters and measures by distance

    def filter_family(self, queryset, name, value):
        """Any of the chosen situations, tested on the rows the region and kind narrowed."""
        return queryset.filter(family_tags__overlap=list(value)) if value else queryset

    def filter_age_from(self, queryset, name, value):
        return queryset.filter(age_band__in=bands_overlapping(int(value), None))

    def filter_age_to(self, queryset, name, value):
        return queryset.filter(age_band__in=bands_overlapping(None, int(value)))
