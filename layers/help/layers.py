"""The map layer of people who need help: a private layer.

Its public surface is the request's topic, kind of help, family situation, age band,
publication date, status, amounts, moderated description and settlement, drawn at the
coarsened public point. Names, phones, addresses, exact positions and birth years are hidden
fields: registration refuses any ordering, filter, tile or sum that would reach them.
"""

from django.db.models import FloatField, Func, Q, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from gis_portal.accounts.permissions import Action, areas_where
from layers.core.layer import POINT, Layer, localized

from .aggregates import AGGREGATE_MAX_ZOOM, aggregate_tile_query, public_stat_cells
from .filters import HelpRequestFilterSet
from .models import HelpRequest

# Public: published with consent, still needing help, personal data not erased.
PUBLIC = Q(is_published=True, consent_at__isnull=False, erased_at__isnull=True,
           status__in=HelpRequest.PUBLIC_STATUSES)

# How far the public point may be from the settlement's point (coarsen_point's annulus).
PUBLIC_PRECISION_M = 600


class HelpRequestLayer(Layer):
    slug = "help-requests"
    title = _("People who need help")
    description = _("Lists of akimats and NGOs. Places are shown to the "
                    "settlement only; contacts open to helpers whose identity is "
                    "confirmed.")
    model = HelpRequest
    geometry_kind = POINT
    style = {"color": "#b03a2e", "fillColor": "#e74c3c", "radius": 5, "icon": "help"}
    render_as_tiles = True
    min_zoom = 4
    max_zoom = 16
    geom_field = "geom"
    position_precision_m = PUBLIC_PRECISION_M
    filterset_class = HelpRequestFilterSet
    filter_reads = {
        "family": ("family_tags",),
        "age_from": ("age_band",),
        "age_to": ("age_band",),
        "near": ("geom",),
        "within": ("geom",),
    }
    ordering_fields = ("published_on", "topic", "kind", "age_band", "family", "settlement",
                       "amount_needed")
    tile_fields = ("topic", "kind", "age_band", "status")
    # z <= 9: one point per oblast/district/okrug with its count (see aggregates.py).
    aggregate_tiles_max_zoom = AGGREGATE_MAX_ZOOM
    stat_sums = ("amount_needed",)
    private = True
    hidden_fields = HelpRequest.PERSONAL_FIELDS + (
        "consent_recorded_by", "created_by", "is_published", "consent_at", "consent_method",
        "uid")
    visibility_depends_on_user = True
    field_labels = {
        "kind_name": _("Kind of help"),
        "family": _("Family situation"),
        "settlement_name": _("Settlement"),
        "name": _("Help request"),
        "url": _("Page"),
    }

    def properties(self):
        return {
            "topic": "topic",
            "kind": "kind_id",
            "kind_name": localized("kind__name"),
            "family": "family_tags",
            "age_band": "age_band",
            "published_on": "published_on",
            "status": "status",
            "amount_needed": "amount_needed",
            "amount_pledged": "amount_pledged",
            "description": "description",
            "settlement": "settlement_kato",
            "settlement_name": localized("settlement__name"),
            "helpers_asked": "helpers_asked",
            # The popup heads a feature with its name, linked to its page (url).
            "name": Concat(localized("kind__name"), Value(" · "), localized("settlement__name"),
                           output_field=TextField()),
            "url": Concat(Value("/help/"), Cast("id", TextField()), Value("/"),
                          output_field=TextField()),
        }

    def ordering_expression(self, name):
        # Keyset cursors are signed JSON: sort keys are text or numbers. An ISO date sorts as
        # text, an amount as a float, and the family situation as its comma-joined codes.
        if name == "family":
            return Func("family_tags", Value(","), function="array_to_string",
                        output_field=TextField())
        if name == "published_on":
            return Cast("published_on", TextField())
        if name == "amount_needed":
            return Cast("amount_needed", FloatField())
        return super().ordering_expression(name)

    def visibility_key(self, request):
        """Everyone who sees only the public requests shares compiled statements; staff who
        see unpublished ones of their areas get their own."""
        roots = areas_where(getattr(request, "user", None), Action.VIEW_PRIVATE)
        return "public" if roots is not None and not roots else None

    def visible_queryset(self, request):
        """Published requests with consent that still need help, for everyone; staff who may
        see personal data of an area also see that area's unpublished ones (not archived)."""
        roots = areas_where(getattr(request, "user", None), Action.VIEW_PRIVATE)
        if roots is None:
            return self._not_archived()
        if not roots:
            return self.public_queryset()
        ids = [area.pk for area in roots]
        return self._not_archived().filter(
            PUBLIC | Q(oblast__in=ids) | Q(district__in=ids) | Q(okrug__in=ids))

    def public_queryset(self):
        """What a viewer without rights to personal data sees: the rows HelpStatCell and
        HelpChainBitmap hold (the trigger's rule in the migrations is this one)."""
        return self._not_archived().filter(PUBLIC)

    @staticmethod
    def _not_archived():
        return HelpRequest.objects.exclude(status=HelpRequest.Status.ARCHIVED)

    def private_stat_cells(self, queryset):
        """The stat cells from HelpStatCell when `queryset` is the public requests (the very
        statement public_queryset() runs); None for anything else, e.g. the larger set staff
        see or a subset such as open requests only: those are grouped from the rows."""
        public = self.public_queryset()
        if (queryset.model is not public.model or queryset.query.is_empty()
                or queryset.query.sql_with_params() != public.query.sql_with_params()):
            return None
        return public_stat_cells()

    def aggregate_tile_query(self, request, zoom):
        return aggregate_tile_query(request, zoom)
