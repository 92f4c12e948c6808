"""Settlement pages: what the portal knows of a settlement's position, the akimat's
correction of it and residents' reports of a wrong position, with the staff's report queue.

Every write goes through layers.areas.actions; a refused one re-renders the page with the
action's message and its status (400, 403, 409, 429).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gis_portal.accounts.permissions import Action, areas_where
from gis_portal.identity.views import client_ip
from gis_portal.views import map_config

from . import actions
from .actions import PositionError
from .models import Settlement, SettlementPositionReport

PositionSource = Settlement.PositionSource
APPROXIMATE_SOURCES = {PositionSource.OKRUG_CENTRE, PositionSource.DISTRICT}
# How each source is described to people, with the precision after it ("±5 km").
SOURCE_DESCRIPTIONS = {
    PositionSource.OSM: gettext_lazy("from OpenStreetMap"),
    PositionSource.GEONAMES: gettext_lazy("from GeoNames"),
    PositionSource.OKRUG_CENTRE: gettext_lazy("approximate: placed at the rural okrug centre"),
    PositionSource.DISTRICT: gettext_lazy("approximate: placed in its okrug or district, "
                                          "not at the village itself"),
    PositionSource.STAFF: gettext_lazy("set by akimat staff"),
}


def format_precision(metres: int | None) -> str:
    if metres is None:
        return ""
    if metres >= 1000:
        # One decimal is plenty for an approximate position (±14.3 km, not ±14.309 km).
        km = round(metres / 1000, 1)
        return _("±%(distance)s km") % {
            "distance": number_format(km, decimal_pos=0 if km == int(km) else 1)}
    return _("±%(distance)s m") % {"distance": number_format(metres)}


def describe_position(settlement: Settlement) -> str:
    """E.g. "approximate: placed at the rural okrug centre, ±5 km"."""
    if settlement.geom is None:
        return _("no position known")
    source = SOURCE_DESCRIPTIONS.get(settlement.position_source, settlement.position_source)
    precision = format_precision(settlement.position_precision_m)
    return f"{source}, {precision}" if precision else str(source)


def is_approximate(settlement: Settlement) -> bool:
    return settlement.position_source in APPROXIMATE_SOURCES


# --- forms -----------------------------------------------------------------------------------

class PointForm(forms.Form):
    """Longitude and latitude typed, or filled in by the page's map (marker or click)."""

    lon = forms.FloatField(label=gettext_lazy("Longitude (degrees east)"), min_value=-180,
                           max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode":
                                                           "decimal", "data-lon": True}))
    lat = forms.FloatField(label=gettext_lazy("Latitude (degrees north)"), min_value=-90,
                           max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode":
                                                           "decimal", "data-lat": True}))

    def point(self) -> Point:
        return Point(self.cleaned_data["lon"], self.cleaned_data["lat"], srid=settings.SRID)


class MoveForm(PointForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), max_length=actions.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the change history, e.g. \"checked on site\"."))


class ReportForm(PointForm):
    comment = forms.CharField(
        label=gettext_lazy("What is wrong, and how do you know?"),
        max_length=actions.REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The akimat staff of the area read it."))


class DismissForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for dismissing"),
                             max_length=actions.REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False,
                           max_length=actions.REASON_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))


def _initial_point(settlement: Settlement) -> dict:
    if settlement.geom is None:
        return {}
    return {"lon": round(settlement.geom.x, 6), "lat": round(settlement.geom.y, 6)}


# --- the settlement page ---------------------------------------------------------------------

def render_settlement(request, settlement: Settlement, *, status: int = 200, move_form=None,
                      report_form=None, error: PositionError | None = None):
    areas = actions.home_areas(settlement)
    can_move = actions.may_move(request.user, settlement, areas)
    can_report = request.user.is_authenticated and not can_move
    initial = _initial_point(settlement)
    if error is not None:
        form = move_form if can_move else report_form
        if form is not None:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    context = {
        "settlement": settlement,
        "areas": [area for area in (areas.oblast, areas.district, areas.okrug) if area],
        "position": describe_position(settlement),
        "approximate": is_approximate(settlement),
        "can_move": can_move,
        "can_report": can_report,
        "move_form": (move_form or MoveForm(initial=initial)) if can_move else None,
        "report_form": (report_form or ReportForm(initial=initial)) if can_report else None,
        "my_reports": (SettlementPositionReport.objects
                       .filter(settlement=settlement, reporter=request.user)
                       .order_by("-created_at")[:10]
                       if request.user.is_authenticated else []),
        "open_reports": (SettlementPositionReport.objects.filter(
            settlement=settlement, status=SettlementPositionReport.Status.OPEN).count()
            if can_move else 0),
        "settlement_map": _map_config(settlement, areas),
    }
    return render(request, "areas/settlement.html", context, status=status)


def _map_config(settlement: Settlement, areas: actions.HomeAreas) -> dict:
    boundary = areas.boundary
    return map_config() | {
        "point": [settlement.geom.x, settlement.geom.y] if settlement.geom else None,
        "approximate": is_approximate(settlement),
        "precisionM": settlement.position_precision_m,
        "boundaryUrl": (reverse("areas:detail", args=[boundary.kato]) + "?geometry=simplified"
                        if boundary else None),
        "markerLabel": _("New position of %(name)s") % {"name": settlement.name},
    }


class SettlementView(View):
    def get(self, request, kato):
        return render_settlement(request, get_object_or_404(Settlement, kato=kato))


class SettlementMoveView(LoginRequiredMixin, View):
    """Staff set the point: POST lon, lat, reason."""

    def post(self, request, kato):
        settlement = get_object_or_404(Settlement, kato=kato)
        form = MoveForm(request.POST)
        if not actions.may_move(request.user, settlement):
            raise PermissionDenied(_("Only akimat staff of this settlement's district or rural "
                                     "okrug can move its point."))
        if not form.is_valid():
            return render_settlement(request, settlement, status=400, move_form=form)
        try:
            actions.move_settlement(
                actor=request.user, settlement=settlement, point=form.point(),
                reason=form.cleaned_data["reason"], client_ip=client_ip(request))
        except PositionError as error:
            return render_settlement(request, settlement, status=error.status, move_form=form,
                                     error=error)
        messages.success(request, _("The point is moved. The change is recorded."))
        return redirect("settlements:detail", kato=kato)


class SettlementReportView(LoginRequiredMixin, View):
    """A resident reports a wrong position: POST lon, lat, comment."""

    def post(self, request, kato):
        settlement = get_object_or_404(Settlement, kato=kato)
        form = ReportForm(request.POST)
        if not form.is_valid():
            return render_settlement(request, settlement, status=400, report_form=form)
        try:
            actions.report_position(reporter=request.user, settlement=settlement,
                                    point=form.point(), comment=form.cleaned_data["comment"],
                                    client_ip=client_ip(request))
        except PositionError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            return render_settlement(request, settlement, status=error.status,
                                     report_form=form, error=error)
        messages.success(request, _("Thank you. The akimat staff of the area will look at "
                                    "your report; its outcome appears on this page."))
        return redirect("settlements:detail", kato=kato)


# --- the staff's queue -----------------------------------------------------------------------

class StaffOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and areas_where(request.user, Action.CHANGE) == set():
            raise PermissionDenied(_("Only akimat staff see the reports on settlement "
                                     "positions."))
        return super().dispatch(request, *args, **kwargs)


class ReportQueueView(StaffOnlyMixin, TemplateView):
    template_name = "areas/report_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = list(actions.open_reports_for(self.request.user)[:200])
        for report in reports:
            report.current_position = describe_position(report.settlement)
            report.accept_form = AcceptForm(prefix=f"accept-{report.pk}")
            report.dismiss_form = DismissForm(prefix=f"dismiss-{report.pk}")
        context["reports"] = reports
        context["error"] = kwargs.get("error")
        return context


class ReportDecisionView(StaffOnlyMixin, View):
    """POST .../accept (optional note) or .../dismiss (reason)."""

    def post(self, request, pk, decision):
        report = get_object_or_404(SettlementPositionReport, pk=pk)
        try:
            if decision == "accept":
                form = AcceptForm(request.POST, prefix=f"accept-{pk}")
                form.is_valid()
                actions.accept_report(actor=request.user, report=report,
                                      note=form.cleaned_data.get("note", ""),
                                      client_ip=client_ip(request))
                messages.success(request, _("Report accepted: %(name)s is moved to the "
                                            "reported point.")
                                 % {"name": report.settlement.name})
            else:
                form = DismissForm(request.POST, prefix=f"dismiss-{pk}")
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                actions.dismiss_report(actor=request.user, report=report, reason=reason,
                                       client_ip=client_ip(request))
                messages.success(request, _("Report on %(name)s dismissed.")
                                 % {"name": report.settlement.name})
        except PositionError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            queue = ReportQueueView(request=request, kwargs={})
            context = queue.get_context_data(error=error.message)
            return render(request, ReportQueueView.template_name, context,
                          status=error.status)
        return redirect("settlements:reports")
