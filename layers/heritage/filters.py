"""Filters of the heritage layers. Area and "within N km of me" are the framework's own
(area=<KATO>, near=lon,lat&within=km); these add category, significance, era and photos."""

import django_filters as df
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from gis_portal.photos.models import Photo

from .models import Monument, NaturalSite, Significance


def with_photos(queryset, value: bool):
    """Rows that have (or, with false, have no) visible photo."""
    photos = Photo.objects.filter(
        content_type=ContentType.objects.get_for_model(queryset.model),
        object_id=OuterRef("pk"), is_hidden=False,
    )
    return queryset.filter(Exists(photos)) if value else queryset.exclude(Exists(photos))


class MonumentFilterSet(df.FilterSet):
    category = df.MultipleChoiceFilter(label=_("category"), field_name="kind", distinct=False,
                                       choices=Monument.Kind.choices)
    significance = df.MultipleChoiceFilter(label=_("significance"), distinct=False,
                                           choices=Significance.choices)
    era = df.MultipleChoiceFilter(label=_("era"), choices=Monument.Era.choices, distinct=False)
    condition = df.MultipleChoiceFilter(label=_("condition"), distinct=False,
                                        choices=Monument.Condition.choices)
    with_photos = df.BooleanFilter(label=_("with photos"), method="filter_with_photos")

    class Meta:
        model = Monument
        fields = ["category", "significance", "era", "condition", "with_photos"]

    def filter_with_photos(self, queryset, name, value):
        return with_photos(queryset, value)


class NaturalSiteFilterSet(df.FilterSet):
    category = df.MultipleChoiceFilter(label=_("category"), field_name="kind", distinct=False,
                                       choices=NaturalSite.Kind.choices)
    significance = df.MultipleChoiceFilter(label=_("significance"), distinct=False,
                                           choices=Significance.choices)
    with_photos = df.BooleanFilter(label=_("with photos"), method="filter_with_photos")

    class Meta:
        model = NaturalSite
        fields = ["category", "significance", "with_photos"]

    def filter_with_photos(self, queryset, name, value):
        return with_photos(queryset, value)
