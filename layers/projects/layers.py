"""The social projects layer: published projects and every later stage, with their price and
funding progress, on the map, in the API, tiles, exports and per-area statistics.

The map layer is the same for everyone (cacheable tiles): drafts, rejected and hidden
projects are never on it; the staff of the area see those on their own pages
(/projects/staff/) and on the project's page.
"""

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    Func,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from layers.core.layer import POINT, Layer, iso_time, localized

from .filters import SocialProjectFilterSet
from .models import SocialProject

Status = SocialProject.Status


class Today(Func):
    """The database's current date: a cached tile statement never freezes the day."""

    template = "CURRENT_DATE"
    output_field = DateField()


def report_overdue_condition() -> Q:
    """In progress, past the report's due date, no report yet."""
    return Q(status=Status.IN_PROGRESS, report_due__lt=Today(),
             report_submitted_at__isnull=True)


class SocialProjectLayer(Layer):
    slug = "projects"
    title = _("Social projects")
    description = _("Regional social projects residents fund together: "
                    "infrastructure, provision, targeted material aid and "
                    "charitable actions, with their cost estimate, the amounts "
                    "pledged and confirmed, and what is still needed. Funded "
                    "means confirmed money that has arrived.")
    model = SocialProject
    geometry_kind = POINT
    # Overdue reports are drawn in red (layers.js reads report_overdue).
    style = {"color": "#1b7837", "radius": 6, "fillColor": "#a6dba0", "fillOpacity": 0.9,
             "overdueColor": "#b2182b", "overdueFillColor": "#f4a582"}
    min_zoom = 3
    max_zoom = 18
    render_as_tiles = True
    # Chosen in the layer switcher (or a permalink): the default map stays the geography.
    shown_by_default = False
    tile_fields = ("name", "kind", "status", "price", "percent_funded", "remaining",
                   "report_overdue")
    field_labels = {
        "name": _("title"), "kind": _("kind"), "status": _("status"),
        "organisation": _("responsible organisation"), "settlement": _("settlement KATO code"),
        "price": _("price, ₸"), "pledged": _("pledged, ₸"), "confirmed": _("confirmed, ₸"),
        "remaining": _("still needed, ₸"), "percent_funded": _("funded, %"),
        "deadline": _("fundraising deadline"), "report_due": _("report due"),
        "report_overdue": _("report overdue"),
        "report_submitted_at": _("report submitted"), "published_at": _("published"),
        "url": _("project page"), "oblast": _("oblast"), "district": _("district"),
        "okrug": _("rural okrug"),
    }
    filterset_class = SocialProjectFilterSet
    filter_reads = {"report_overdue": ("status", "report_due", "report_submitted_at")}
    # newest (-published_at), deadline, price, percent funded, remaining
    ordering_fields = ("published_at", "deadline", "price", "percent_funded", "remaining")
    # Stats per area: number of projects, total cost and the funded share (see stats()).
    stat_sums = ("price", "percent_funded")
    hidden_fields = ("beneficiary_name", "beneficiary_details", "created_by", "reference",
                     "reference_area", "site", "moderation_reason")

    def visible_queryset(self, request):
        return SocialProject.objects.filter(status__in=SocialProject.PUBLIC_STATUSES)

    # properties() per language, built once: the expressions are never mutated (the ORM
    # resolves copies of them), and the list builds them on every request otherwise.
    _properties_by_language: dict = {}

    def properties(self):
        language = (get_language() or "kk")[:2]
        cached = self._properties_by_language.get(language)
        if cached is None:
            cached = self._properties_by_language[language] = self.build_properties()
        return dict(cached)

    def build_properties(self):
        return {
            "name": localized("title"),
            "kind": "kind",
            "status": "status",
            "organisation": "organisation",
            "settlement": "settlement_kato",
            "price": "price_figure",
            "pledged": "pledged_figure",
            "confirmed": "confirmed_figure",
            "remaining": "remaining_figure",
            "percent_funded": "percent_funded",
            # Dates as ISO text: they sort as dates and page by a JSON cursor.
            "deadline": Cast("deadline", CharField()),
            "report_due": Cast("report_due", CharField()),
            "report_overdue": Case(When(report_overdue_condition(), then=Value(True)),
                                   default=Value(False), output_field=BooleanField()),
            "report_submitted_at": iso_time("report_submitted_at"),
            "published_at": iso_time("published_at"),
            "url": Concat(Value("/projects/"), Cast("id", CharField()), Value("/"),
                          output_field=CharField()),
            "oblast": F("oblast__kato"),
            "district": F("district__kato"),
            "okrug": F("okrug__kato"),
        }

    def stats_queryset(self, queryset, level: str):
        """One GROUP BY over the integer area tag: count, total cost and confirmed money."""
        return (queryset.order_by().values(f"{level}_id")
                .annotate(_count=Count("pk"), _price=Sum("price_figure"),
                          _confirmed=Sum("confirmed_figure")))

    def stats_entry_sql(self, stats_queryset):
        """Per area: the number of projects, their total cost (price) and the funded share
        (percent_funded: confirmed money ÷ total cost, in %, not a sum), for the choropleth."""
        price = 'coalesce(g."_price", 0)'
        return {
            "count": 'g."_count"',
            "price": f"round(({price})::numeric, 2)",
            "percent_funded": (f"CASE WHEN {price} = 0 THEN 0.0 ELSE round((100.0 * "
                               f'coalesce(g."_confirmed", 0) / {price})::numeric, 1) END'),
        }
