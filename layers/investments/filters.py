import django_filters as df
from django.utils.translation import gettext_lazy as _

from .models import InvestmentProject, Sector


class InvestmentProjectFilterSet(df.FilterSet):
    sector = df.MultipleChoiceFilter(label=_("sector"), choices=Sector.choices)
    status = df.MultipleChoiceFilter(label=_("status"),
                                     choices=InvestmentProject.Status.choices)
    min_investment = df.NumberFilter(label=_("investment from, ₸"),
                                     field_name="investment_figure", lookup_expr="gte")
    max_investment = df.NumberFilter(label=_("investment up to, ₸"),
                                     field_name="investment_figure", lookup_expr="lte")
    min_jobs = df.NumberFilter(label=_("jobs from"), field_name="jobs_created",
                               lookup_expr="gte")
    max_jobs = df.NumberFilter(label=_("jobs up to"), field_name="jobs_created",
                               lookup_expr="lte")
    min_unemployment = df.NumberFilter(label=_("unemployment at least, %"),
                                       field_name="unemployment_rate", lookup_expr="gte")

    class Meta:
        model = InvestmentProject
        fields = ["sector", "status", "min_investment", "max_investment", "min_jobs",
                  "max_jobs", "min_unemployment"]
