"""The investment projects layer: every project with its sector, status, the investment it
needs, the jobs it creates and its settlement's latest unemployment rate (flagged when the
figure is a sample, not official statistics), on the map, in the API, tiles, exports and
per-area statistics (projects, total investment, jobs) for the choropleth."""

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from layers.core.layer import POINT, Layer, iso_time, localized

from .filters import InvestmentProjectFilterSet
from .models import InvestmentProject

# Said next to every figure that is made up for the demo.
SAMPLE_NOTE = _("sample values, not official statistics")


def sample_note() -> str:
    """The sample label in the active language (gettext first, so a translation added to the
    catalogues wins)."""
    text = gettext("sample values, not official statistics")
    return str(SAMPLE_NOTE) if text == "sample values, not official statistics" else text


class InvestmentProjectLayer(Layer):
    slug = "investments"
    title = _("Investment projects")
    description = _("Investment projects for rural settlements with low "
                    "employment: sector, the investment needed, the jobs created, "
                    "status and the settlement's latest unemployment rate (sample "
                    "values are labelled as such).")
    model = InvestmentProject
    geometry_kind = POINT
    style = {"color": "#5e3c99", "radius": 6, "fillColor": "#b2abd2", "fillOpacity": 0.9}
    min_zoom = 3
    max_zoom = 18
    render_as_tiles = True
    shown_by_default = False
    tile_fields = ("name", "sector", "status", "investment", "jobs", "unemployment_rate",
                   "employment_is_sample", "employment_note")
    field_labels = {
        "name": _("title"), "sector": _("sector"), "status": _("status"),
        "investment": _("investment needed, ₸"), "jobs": _("jobs created"),
        "settlement": _("settlement KATO code"),
        "unemployment_rate": _("unemployment rate, %"),
        "employment_year": _("year of the indicator"),
        "employment_is_sample": _("sample values"),
        "employment_note": _("about the indicator"),
        "responsible_position": _("responsible official's position"),
        "url": _("project page"), "oblast": _("oblast"), "district": _("district"),
        "okrug": _("rural okrug"),
    }
    filterset_class = InvestmentProjectFilterSet
    ordering_fields = ("investment", "jobs", "unemployment_rate")
    # Stats per area: number of projects, total investment and jobs.
    stat_sums = ("investment", "jobs")
    hidden_fields = ("responsible_user", "responsible_name", "created_by", "reference",
                     "reference_area")

    def visible_queryset(self, request):
        return InvestmentProject.objects.all()

    def properties(self):
        # The map's popup shows the first few properties: the rate and its sample label
        # come together, before the rest.
        return {
            "name": localized("title"),
            "sector": "sector",
            "status": "status",
            "investment": "investment_figure",
            "jobs": "jobs_created",
            "unemployment_rate": "unemployment_rate",
            # The label travels with the figure: a sample is never shown as official.
            "employment_note": Case(When(employment_is_sample=True,
                                         then=Value(sample_note())),
                                    default=Value(None), output_field=CharField()),
            "employment_is_sample": "employment_is_sample",
            "employment_year": "employment_year",
            "settlement": "settlement_kato",
            "responsible_position": "responsible_position",
            "created_at": iso_time("created_at"),
            "url": Concat(Value("/investments/"), Cast("id", CharField()), Value("/"),
                          output_field=CharField()),
            "oblast": F("oblast__kato"),
            "district": F("district__kato"),
            "okrug": F("okrug__kato"),
        }


