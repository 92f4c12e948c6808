import copy

import django_filters as df
from django.utils.translation import gettext_lazy as _

from .models import SocialProject

PUBLIC_STATUS_CHOICES = [(status.value, status.label)
                         for status in SocialProject.PUBLIC_STATUSES]


class SocialProjectFilterSet(df.FilterSet):
    # No join, so no duplicate rows: no DISTINCT over the whole feature.
    kind = df.MultipleChoiceFilter(label=_("kind"), choices=SocialProject.Kind.choices,
                                   distinct=False)
    status = df.MultipleChoiceFilter(label=_("status"), choices=PUBLIC_STATUS_CHOICES,
                                     distinct=False)
    min_price = df.NumberFilter(label=_("cost from, ₸"), field_name="price_figure",
                                lookup_expr="gte")
    max_price = df.NumberFilter(label=_("cost up to, ₸"), field_name="price_figure",
                                lookup_expr="lte")
    min_percent_funded = df.NumberFilter(label=_("funded at least, %"),
                                         field_name="percent_funded", lookup_expr="gte")
    max_percent_funded = df.NumberFilter(label=_("funded at most, %"),
                                         field_name="percent_funded", lookup_expr="lte")
    min_remaining = df.NumberFilter(label=_("still needed from, ₸"),
                                    field_name="remaining_figure", lookup_expr="gte")
    max_remaining = df.NumberFilter(label=_("still needed up to, ₸"),
                                    field_name="remaining_figure", lookup_expr="lte")
    report_overdue = df.BooleanFilter(label=_("report overdue"), method="filter_overdue")

    class Meta:
        model = SocialProject
        fields = ["kind", "status", "min_price", "max_price", "min_percent_funded",
                  "max_percent_funded", "min_remaining", "max_remaining", "report_overdue"]

    @classmethod
    def form_class(cls):
        """The validating form, built once per class: its fields never change per request."""
        if "_form_class" not in cls.__dict__:
            fields = {name: flt.field for name, flt in copy.deepcopy(cls.base_filters).items()}
            cls._form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._form_class

    def get_form_class(self):
        return self.form_class()

    def filter_overdue(self, queryset, name, value):
        from .layers import report_overdue_condition

        condition = report_overdue_condition()
        return queryset.filter(condition) if value else queryset.exclude(condition)
