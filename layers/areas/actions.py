"""Settlement position corrections: each is one transaction, takes the acting user, writes its
audit row and raises a typed PositionError that views (and the admin) turn into a clear 4xx.

- `move_settlement(...)`: akimat staff of the settlement's area set its point (settlement page,
  admin, or by accepting a report); audited in SettlementPositionChange.
- `report_position(...)`: a signed-in resident says the point is wrong and suggests another.
- `accept_report(...)` / `dismiss_report(...)`: the area's staff decide on a report.
- `open_reports_for(user)`: the queue of open reports in the areas the user may change.

A settlement's own areas are those its KATO code names (`home_areas`), not the ones its
current point happens to be tagged with: the point may be the very thing that is wrong.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, areas_where, may
from gis_portal.errors import ActionError

from .models import (
    AdminArea,
    AdminAreaPart,
    Settlement,
    SettlementPositionChange,
    SettlementPositionReport,
)

# A point placed by staff on a map at street zoom, or typed from a survey: good to ~100 m.
STAFF_PRECISION_M = 100
# Reports one resident may file in 24 hours: enough for a careful neighbour, not for a flood.
REPORTS_PER_USER_PER_DAY = 5
REASON_MAX_LENGTH = 1000

Via = SettlementPositionChange.Via
Status = SettlementPositionReport.Status


class PositionError(ActionError):
    pass


class NotAllowed(PositionError):
    status = 403
    code = "not_allowed"


class AlreadyDecided(PositionError):
    status = 409
    code = "conflict"


class RateLimited(PositionError):
    status = 429
    code = "rate_limited"


@dataclass(frozen=True)
class HomeAreas:
    """The current generation's areas a settlement's KATO code names."""

    oblast: AdminArea | None
    district: AdminArea | None
    okrug: AdminArea | None

    @property
    def finest(self) -> AdminArea | None:
        """The area whose staff answer for the settlement (a role on any area above it
        covers it too)."""
        return self.okrug or self.district or self.oblast

    @property
    def boundary(self) -> AdminArea | None:
        """The area a new point must lie in: the district, else (a city of republican
        significance, or a district without a polygon) the oblast. Never the okrug, whose
        boundary is only approximate."""
        for area in (self.district, self.oblast):
            if area is not None and area.geom is not None:
                return area
        return None


def home_areas(settlement: Settlement) -> HomeAreas:
    """The same KATO rules as layers.core.tagging for rows without a point."""
    kato = settlement.kato
    current = AdminArea.objects.filter(generation__is_current=True).select_related(
        "parent__parent")
    okrug = current.filter(level=AdminArea.Level.OKRUG, kato=kato[:6] + "000").first()
    district = (current.filter(level=AdminArea.Level.DISTRICT,
                               kato__in=[kato[:4] + "00000", kato[:6] + "000"])
                .order_by("-kato").first())
    oblast = current.filter(level=AdminArea.Level.OBLAST, kato=kato[:2] + "0000000").first()
    return HomeAreas(oblast=oblast, district=district, okrug=okrug)


def may_move(user, settlement: Settlement, areas: HomeAreas | None = None) -> bool:
    areas = areas or home_areas(settlement)
    return areas.finest is not None and may(user, Action.CHANGE, areas.finest)


def checked_point(point: Point, areas: HomeAreas) -> Point:
    """The point in WGS 84 if it lies in Kazakhstan and in the settlement's own district;
    PositionError (400) saying what to fix otherwise."""
    if point is None:
        raise PositionError(_("Give the new position: longitude and latitude."), "lon")
    point = point.clone()
    if point.srid is None:
        point.srid = settings.SRID
    elif point.srid != settings.SRID:
        point.transform(settings.SRID)
    in_country = AdminAreaPart.objects.filter(
        generation__is_current=True, level=AdminArea.Level.OBLAST, geom__intersects=point
    ).exists()
    if not in_country:
        raise PositionError(
            _("The point %(lon).5f, %(lat).5f is outside Kazakhstan. Longitude comes first "
              "(east, 46–88), then latitude (north, 40–56).") % {"lon": point.x, "lat": point.y},
            "lon")
    boundary = areas.boundary
    if boundary is None:
        raise PositionError(_("This settlement's district has no boundary to check a new "
                              "point against, so its point cannot be moved here."))
    if not AdminArea.objects.filter(pk=boundary.pk, geom__intersects=point).exists():
        raise PositionError(
            _("The point %(lon).5f, %(lat).5f is outside %(area)s. A settlement can only be "
              "placed inside its own %(level)s.")
            % {"lon": point.x, "lat": point.y, "area": boundary.name,
               "level": boundary.get_level_display()},
            "lon")
    return point


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise PositionError(message, field)
    if len(value) > REASON_MAX_LENGTH:
        raise PositionError(_("Keep it under %(count)d characters.")
                            % {"count": REASON_MAX_LENGTH}, field)
    return value


def rederive_geography(settlement: Settlement) -> None:
    """After a settlement's point moved, what is derived from points follows: the approximate
    okrug polygons of its district are redrawn, the district's fallback points revised and
    its rows re-tagged (the reference-data pipeline's own re-derivation)."""
    # Imported here: the reference-data package imports this app's models.
    from data.boundaries.positions import rederive_after_position_change

    rederive_after_position_change([settlement.pk])


def move_settlement(*, actor, settlement: Settlement, point: Point, reason: str,
                    via: str = Via.PAGE, report: SettlementPositionReport | None = None,
                    client_ip: str | None = None) -> SettlementPositionChange:
    """Set a settlement's point as staff: the point must lie in the settlement's district.
    The settlement then carries position_source=staff, which reference-data loads keep."""
    areas = home_areas(settlement)
    if not may_move(actor, settlement, areas):
        raise NotAllowed(_("Only akimat staff of this settlement's district or rural okrug "
                           "can move its point."))
    reason = _required_text(reason, "reason", _("Say why the point moves (e.g. \"surveyed "
                                                "on site\", \"OpenStreetMap has it right\")."))
    point = checked_point(point, areas)
    with transaction.atomic():
        locked = Settlement.objects.select_for_update().get(pk=settlement.pk)
        change = SettlementPositionChange.objects.create(
            settlement=locked, actor=actor, via=via, previous_geom=locked.geom,
            previous_source=locked.position_source or "",
            previous_precision_m=locked.position_precision_m, new_geom=point,
            new_precision_m=STAFF_PRECISION_M, reason=reason, report=report,
            client_ip=client_ip)
        # update(), not save(): the re-derivation below is the one place that re-tags.
        Settlement.objects.filter(pk=locked.pk).update(
            geom=point, position_source=Settlement.PositionSource.STAFF,
            position_precision_m=STAFF_PRECISION_M)
        rederive_geography(locked)
    settlement.refresh_from_db()
    return change


def report_position(*, reporter, settlement: Settlement, point: Point, comment: str,
                    client_ip: str | None = None) -> SettlementPositionReport:
    """A signed-in resident reports a wrong point and suggests where the settlement is."""
    if reporter is None or not reporter.is_authenticated:
        raise NotAllowed(_("Sign in to report a wrong position."))
    comment = _required_text(comment, "comment", _("Say what is wrong with the position "
                                                   "and how you know."))
    areas = home_areas(settlement)
    if areas.finest is None:
        raise PositionError(_("This settlement belongs to no current area, so no akimat can "
                              "take a report on it."))
    point = checked_point(point, areas)
    with transaction.atomic():
        # One report of a user at a time, so the daily count below cannot be raced past.
        get_user_model().objects.select_for_update().only("pk").get(pk=reporter.pk)
        mine = SettlementPositionReport.objects.filter(reporter=reporter)
        since = timezone.now() - timedelta(days=1)
        if mine.filter(created_at__gt=since).count() >= REPORTS_PER_USER_PER_DAY:
            raise RateLimited(_("You have sent %(count)d reports in the last 24 hours, the "
                                "most allowed. Try again tomorrow.")
                              % {"count": REPORTS_PER_USER_PER_DAY})
        if mine.filter(settlement=settlement, status=Status.OPEN).exists():
            raise AlreadyDecided(_("You already have an open report on this settlement. Wait "
                                   "for the akimat's answer."))
        return SettlementPositionReport.objects.create(
            settlement=settlement, area=areas.finest, reporter=reporter,
            suggested_geom=point, comment=comment)


def _lock_open_report(actor, report: SettlementPositionReport) -> SettlementPositionReport:
    locked = (SettlementPositionReport.objects.select_for_update()
              .select_related("settlement").get(pk=report.pk))
    if not may_move(actor, locked.settlement):
        raise NotAllowed(_("Only akimat staff of this settlement's district or rural okrug "
                           "can decide on reports about it."))
    if locked.status != Status.OPEN:
        raise AlreadyDecided(_("This report was already decided: %(status)s.")
                             % {"status": locked.get_status_display()})
    return locked


def accept_report(*, actor, report: SettlementPositionReport, note: str = "",
                  client_ip: str | None = None) -> SettlementPositionChange:
    """Move the settlement to the reported point (audited like any move) and close the
    report as accepted."""
    with transaction.atomic():
        locked = _lock_open_report(actor, report)
        note = (note or "").strip()[:REASON_MAX_LENGTH]
        reason = note or _("Resident's report accepted: %(comment)s") % {
            "comment": locked.comment}
        change = move_settlement(actor=actor, settlement=locked.settlement,
                                 point=locked.suggested_geom, reason=reason[:REASON_MAX_LENGTH],
                                 via=Via.REPORT, report=locked, client_ip=client_ip)
        _decide(locked, actor, Status.ACCEPTED, note, client_ip, change)
    report.refresh_from_db()
    return change


def dismiss_report(*, actor, report: SettlementPositionReport, reason: str,
                   client_ip: str | None = None) -> SettlementPositionReport:
    """Close the report without moving anything; the reporter reads the reason."""
    reason = _required_text(reason, "reason", _("Say why the report is dismissed: the "
                                                "resident reads it."))
    with transaction.atomic():
        locked = _lock_open_report(actor, report)
        _decide(locked, actor, Status.DISMISSED, reason, client_ip, None)
    report.refresh_from_db()
    return report


def _decide(report, actor, status, note, client_ip, change) -> None:
    report.status = status
    report.decided_by = actor
    report.decided_at = timezone.now()
    report.decision_note = note
    report.decided_from_ip = client_ip
    report.change = change
    report.save(update_fields=["status", "decided_by", "decided_at", "decision_note",
                               "decided_from_ip", "change"])


def open_reports_for(user):
    """Open reports on settlements of the areas where the user may change records (an area
    role covers the areas inside it), oldest first; none for a user without such a role."""
    reports = (SettlementPositionReport.objects.filter(status=Status.OPEN)
               .select_related("settlement", "area__parent__parent").order_by("created_at"))
    roots = areas_where(user, Action.CHANGE)
    if roots is None:
        return reports
    ids = [area.pk for area in roots]
    return reports.filter(Q(area_id__in=ids) | Q(area__parent_id__in=ids)
                          | Q(area__parent__parent_id__in=ids))
