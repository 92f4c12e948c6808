"""Writes to eco-routes: each one transaction, taking the acting user, checking
`may(user, CHANGE, area)` for the area the route lies in, writing its RouteChange audit row and
raising a RouteError (or TrackError) that views turn into a clear 4xx.

- `import_route(*, user, data, filename, fields)`: a new route from a GPX or KML track.
- `replace_track(*, user, route, data, filename)`: a new track for a route.
- `update_route(*, user, route, fields)`: names, kind, season, … (not the track).
- `delete_route(*, user, route)`.
- `add_route_photo(*, user, route, upload, caption="")`.

The full track is kept as imported (exports and the length on the ellipsoid); `geom` is its
copy simplified in metres (ST_SimplifyPreserveTopology in the track's UTM zone) for the map.
"""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, may
from gis_portal.errors import ActionError
from layers.core.tagging import tag_rows

from .formats import ParsedTrack, TrackError, parse_track, segments_ewkt
from .models import EcoRoute, RouteChange

# Display copy: vertices closer than this to the simplified line are dropped.
SIMPLIFY_TOLERANCE_M = 15.0
EDITABLE_FIELDS = ("name_kk", "name_ru", "name_en", "kind", "difficulty", "duration_hours",
                   "season_start_month", "season_end_month", "start_settlement",
                   "end_settlement", "description_kk", "description_ru", "description_en",
                   "organisation", "published", "is_sample")
__all__ = ["RouteError", "TrackError", "import_route", "replace_track", "update_route",
           "delete_route", "add_route_photo", "area_of_track"]


class RouteError(ActionError):
    status = 400
    code = "invalid_route"


class RouteForbidden(RouteError):
    status = 403
    code = "forbidden"


def area_of_track(ewkt: str):
    """The deepest area of the current generation holding a point of the track (the point the
    tagging uses), or None outside Kazakhstan."""
    from layers.areas.models import AdminArea

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.area_id FROM areas_adminareapart p
            JOIN areas_boundarygeneration g ON g.id = p.generation_id AND g.is_current
            WHERE ST_Intersects(p.geom, ST_PointOnSurface(ST_GeomFromEWKT(%s)))
            ORDER BY CASE p.level WHEN 'okrug' THEN 0 WHEN 'district' THEN 1 ELSE 2 END
            LIMIT 1
            """, [ewkt])
        row = cursor.fetchone()
    return AdminArea.objects.filter(pk=row[0]).select_related("parent__parent").first() \
        if row else None


def _require_change(user, area) -> None:
    if area is None:
        raise RouteError(_("The track does not lie in Kazakhstan."), "track")
    if not may(user, Action.CHANGE, area):
        raise RouteForbidden(_("You may manage routes only in the areas you are staff of; "
                               "%(area)s is not one of them.") % {"area": area.name})


def _route_area(route: EcoRoute):
    return route.okrug or route.district or route.oblast or area_of_track(route.track.ewkt)


def _store_track(route: EcoRoute) -> None:
    """Length on the ellipsoid from the full track; the display copy simplified in metres."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE routes_ecoroute SET
              length_km = ST_Length(track::geography) / 1000.0,
              geom = ST_Multi(ST_Transform(ST_SimplifyPreserveTopology(
                  ST_Transform(track, utm), %s), 4326))
            FROM (SELECT 32600 + floor((ST_X(ST_Centroid(track)) + 180) / 6)::int + 1 AS utm
                  FROM routes_ecoroute WHERE id = %s) zone
            WHERE id = %s
            """, [SIMPLIFY_TOLERANCE_M, route.pk, route.pk])
    # Tags follow the geometry the map draws (the area filter and stats read it).
    tag_rows(EcoRoute, pks=[route.pk])
    route.refresh_from_db(fields=["length_km", "geom", "oblast", "district", "okrug"])


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise RouteError(_("Unknown route field(s): %(names)s.") %
                         {"names": ", ".join(sorted(unknown))}, sorted(unknown)[0])
    cleaned = dict(fields)
    for name, value in cleaned.items():
        if isinstance(value, str) and "\x00" in value:
            raise RouteError(_("%(name)s holds a NUL character: remove it.") % {"name": name},
                             name)
    if "kind" in cleaned and cleaned["kind"] not in EcoRoute.Kind.values:
        raise RouteError(_("Kind must be one of: %(kinds)s.") %
                         {"kinds": ", ".join(EcoRoute.Kind.values)}, "kind")
    if "difficulty" in cleaned and cleaned["difficulty"] not in EcoRoute.Difficulty.values:
        raise RouteError(_("Difficulty must be one of: %(values)s.") %
                         {"values": ", ".join(EcoRoute.Difficulty.values)}, "difficulty")
    for month_field in ("season_start_month", "season_end_month"):
        if month_field in cleaned:
            try:
                month = int(cleaned[month_field])
            except (TypeError, ValueError):
                month = 0
            if not 1 <= month <= 12:
                raise RouteError(_("A season month is a number from 1 to 12."), month_field)
            cleaned[month_field] = month
    if cleaned.get("duration_hours") not in (None, ""):
        try:
            hours = float(cleaned["duration_hours"])
        except (TypeError, ValueError):
            hours = -1
        if not 0 < hours <= 24 * 60:
            raise RouteError(_("The duration is a number of hours above 0."), "duration_hours")
        cleaned["duration_hours"] = hours
    elif "duration_hours" in cleaned:
        cleaned["duration_hours"] = None
    return cleaned


def import_route(*, user, data: bytes, filename: str, fields: dict) -> EcoRoute:
    """A new route from an uploaded GPX/KML track. Nothing is written when the file or the
    fields are refused."""
    track: ParsedTrack = parse_track(data, filename)
    fields = dict(fields)
    if not fields.get("name_kk") and not fields.get("name_ru"):
        name = track.name or filename.rsplit(".", 1)[0]
        fields.setdefault("name_kk", name)
        fields.setdefault("name_ru", name)
    fields.setdefault("kind", EcoRoute.Kind.HIKING)
    fields.setdefault("difficulty", EcoRoute.Difficulty.MODERATE)
    if track.description and not any(fields.get(f"description_{lang}")
                                      for lang in ("kk", "ru", "en")):
        fields["description_ru"] = track.description
    cleaned = _clean_fields(fields)
    ewkt = segments_ewkt(track.segments)
    _require_change(user, area_of_track(ewkt))
    with transaction.atomic():
        route = EcoRoute(track=ewkt, geom=ewkt, created_by=user, **cleaned)
        route.save()
        _store_track(route)
        RouteChange.objects.create(route_id_value=route.pk, route_name=route.name_kk[:255],
                                   what=RouteChange.What.CREATED, user=user,
                                   note=f"imported from {filename[:200]}")
    return route


def replace_track(*, user, route: EcoRoute, data: bytes, filename: str) -> EcoRoute:
    track = parse_track(data, filename)
    ewkt = segments_ewkt(track.segments)
    _require_change(user, _route_area(route))
    _require_change(user, area_of_track(ewkt))
    with transaction.atomic():
        route.track = ewkt
        route.geom = ewkt
        route.save()
        _store_track(route)
        RouteChange.objects.create(route_id_value=route.pk, route_name=route.name_kk[:255],
                                   what=RouteChange.What.TRACK_REPLACED, user=user,
                                   note=f"from {filename[:200]}")
    return route


def update_route(*, user, route: EcoRoute, fields: dict) -> EcoRoute:
    cleaned = _clean_fields(fields)
    _require_change(user, _route_area(route))
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(route, name, value)
        route.save()
        RouteChange.objects.create(route_id_value=route.pk, route_name=route.name_kk[:255],
                                   what=RouteChange.What.CHANGED, user=user,
                                   note=", ".join(sorted(cleaned))[:500])
    return route


def delete_route(*, user, route: EcoRoute) -> None:
    _require_change(user, _route_area(route))
    with transaction.atomic():
        RouteChange.objects.create(route_id_value=route.pk, route_name=route.name_kk[:255],
                                   what=RouteChange.What.DELETED, user=user)
        route.delete()


def add_route_photo(*, user, route: EcoRoute, upload, caption: str = ""):
    from gis_portal.photos.actions import add_photo

    _require_change(user, _route_area(route))
    with transaction.atomic():
        photo = add_photo(user=user, target=route, upload=upload, caption=caption,
                          purpose="main")
        RouteChange.objects.create(route_id_value=route.pk, route_name=route.name_kk[:255],
                                   what=RouteChange.What.CHANGED, user=user, note="photo added")
    return photo
