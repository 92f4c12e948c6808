"""Pages and API of eco-routes and the road-trip planner.

The planner page (/trips/) is a plain GET form: its URL holds every parameter, so the page's
address is the shareable link, and the day list is rendered on the server; the script only
draws the map from the plan embedded as JSON. /api/routes/plan answers the same parameters with
GeoJSON, days, sights and the honesty notes; .gpx and .kml export the same plan.
"""

import json
import re
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gis_portal.errors import ActionError
from gis_portal.views import map_config
from layers.core.params import path_id

from . import actions
from .formats import Document, Waypoint, gpx_document, kml_document
from .models import EcoRoute
from .planner import (
    MAX_CORRIDOR_KM,
    NEAR_SIGHTS_SQL,
    PRESET_LABELS,
    PRESETS,
    Interests,
    PlanError,
    TripRequest,
    active_network,
    corridor_boxes_sql,
    plan_trip,
    sights_sql,
    towns,
    trip_as_dict,
)

GPX_TYPE = "application/gpx+xml"
# Town keys and kinds of sights: short lower-case words.
KEY_PATTERN = re.compile(r"[a-z0-9_-]{1,64}")
KML_TYPE = "application/vnd.google-earth.kml+xml"
# Sights "along" an eco-route: within this buffer of its full track.
ROUTE_SIGHTS_BUFFER_KM = 5.0
MAX_ROUTE_SIGHTS_BUFFER_KM = 50.0


def interest_choices() -> list[tuple[str, str]]:
    """Kinds of sights a tourist may ask for: the heritage layers' own kinds (SIGHTS_SQL's
    category values), with their labels."""
    from django.apps import apps

    choices = []
    for model_name in ("Monument", "NaturalSite"):
        try:
            model = apps.get_model("heritage", model_name)
        except LookupError:
            continue
        choices += [(value, str(label)) for value, label in model.Kind.choices]
    return choices

def error_json(error: ActionError) -> JsonResponse:
    return JsonResponse({"error": error.message, "field": error.field}, status=error.status)


def _number(raw, name, kind=int):
    if raw in (None, ""):
        return None
    try:
        return kind(raw)
    except ValueError:
        raise PlanError(_("%(name)s must be a number, got %(raw)s.") %
                        {"name": name, "raw": raw[:30]}, name) from None


def trip_request_from(params) -> TripRequest:
    """The plan's parameters from a query string (page, API and exports share them)."""
    preset = params.get("preset", "")
    start, end = params.get("start", ""), params.get("end", "")
    if preset:
        if preset not in PRESETS:
            raise PlanError(_("preset must be one of: %(presets)s.") %
                            {"presets": ", ".join(PRESETS)}, "preset")
        start, end = PRESETS[preset]
    if not start or not end:
        raise PlanError(_("Pick a start and an end town, or a preset (west-east, "
                          "north-south)."), "start" if not start else "end")
    for name, key in (("start", start), ("end", end)):
        if not KEY_PATTERN.fullmatch(key):
            raise PlanError(_("%(name)s must be a town's key from /api/routes/towns, e.g. "
                              "aktau.") % {"name": name}, name)
    days = _number(params.get("days"), "days")
    km_per_day = _number(params.get("km_per_day"), "km_per_day", float)
    if days is not None and km_per_day is not None:
        raise PlanError(_("Give either a number of days or kilometres per day, not both."),
                        "days")
    categories = tuple(c for c in params.getlist("interest") if c)
    if not all(KEY_PATTERN.fullmatch(c) for c in categories):
        raise PlanError(_("interest must be a kind of sight, e.g. interest=architecture."),
                        "interest")
    kinds = {value for value, _label in interest_choices()}
    unknown = sorted(set(categories) - kinds)
    if unknown:  # a misspelt kind would silently match no sight at all
        raise PlanError(_("%(unknown)s is not a kind of sight; choose among: %(kinds)s.")
                        % {"unknown": ", ".join(unknown), "kinds": ", ".join(sorted(kinds))},
                        "interest")
    corridor = _number(params.get("corridor_km"), "corridor_km", float)
    return TripRequest(
        start=start, end=end, days=days, km_per_day=km_per_day,
        interests=Interests(categories=categories,
                            unesco_only=params.get("unesco") in ("1", "true", "on"),
                            nature_only=params.get("nature") in ("1", "true", "on")),
        corridor_km=corridor if corridor is not None else TripRequest.corridor_km,
    )


def _plan_from(request):
    return plan_trip(trip_request_from(request.GET))


@require_GET
def plan_api(request):
    try:
        trip = _plan_from(request)
    except ActionError as error:
        return error_json(error)
    body = trip_as_dict(trip)
    body["links"] = _plan_links(request.GET)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _plan_links(params) -> dict:
    query = urlencode([(k, v) for k in params for v in params.getlist(k) if k != "lang"])
    return {"page": f"{reverse('routes:trip-page')}?{query}",
            "gpx": f"{reverse('routes:plan-gpx')}?{query}",
            "kml": f"{reverse('routes:plan-kml')}?{query}"}


def _trip_document(trip) -> Document:
    name = _("Road trip: %(start)s → %(end)s, %(km)s km") % {
        "start": trip.start.name, "end": trip.end.name, "km": trip.km}
    waypoints = [Waypoint(d.end["lon"], d.end["lat"],
                          _("Day %(n)s: %(town)s") % {"n": d.number, "town": d.end["name"]},
                          _("%(km)s km this day") % {"km": d.km})
                 for d in trip.days]
    waypoints += [Waypoint(s["lon"], s["lat"], s["name"],
                           _("detour about %(km)s km") % {"km": s["detour_km"]})
                  for s in trip.sights]
    return Document(name=name, description=" ".join(trip.notes),
                    lines=[[tuple(p) for p in trip.line_coordinates()]], waypoints=waypoints)


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def plan_gpx(request):
    try:
        trip = _plan_from(request)
    except ActionError as error:
        return error_json(error)
    return _download(gpx_document(_trip_document(trip)), GPX_TYPE,
                     f"trip-{trip.start.key}-{trip.end.key}.gpx")


@require_GET
def plan_kml(request):
    try:
        trip = _plan_from(request)
    except ActionError as error:
        return error_json(error)
    return _download(kml_document(_trip_document(trip)), KML_TYPE,
                     f"trip-{trip.start.key}-{trip.end.key}.kml")


@require_GET
def towns_api(request):
    try:
        network = active_network()
    except ActionError as error:
        return error_json(error)
    return JsonResponse({"network": network.slug, "towns": [
        {"key": t.key, "name": t.name, "region": t.region, "lon": t.geom.x, "lat": t.geom.y}
        for t in towns(network)]}, json_dumps_params={"ensure_ascii": False})


@require_GET
def trip_page(request):
    """The planner: the form, and when it is filled, the trip on the map with its days."""
    context = {"presets": [(k, PRESET_LABELS[k]) for k in PRESETS],
               "interest_choices": interest_choices(),
               "params": request.GET, "chosen_interests": request.GET.getlist("interest"),
               "max_corridor": MAX_CORRIDOR_KM, "status": 200}
    try:
        context["towns"] = sorted(towns(), key=lambda town: town.name)
    except ActionError as error:
        context.update(towns=[], error=error.message)
        return render(request, "routes/trip.html", context, status=error.status)
    if request.GET.get("preset") or request.GET.get("start") or request.GET.get("end"):
        try:
            trip = _plan_from(request)
        except ActionError as error:
            context.update(error=error.message, error_field=error.field)
            return render(request, "routes/trip.html", context, status=error.status)
        plan = trip_as_dict(trip)
        plan["links"] = _plan_links(request.GET)
        context.update(trip=trip, plan=plan, links=plan["links"],
                       share_url=request.build_absolute_uri(plan["links"]["page"]),
                       trip_map={**map_config(), "geojson": plan["geojson"]})
    else:
        context["trip_map"] = {**map_config(), "geojson": None}
    return render(request, "routes/trip.html", context)


# --- eco-routes ------------------------------------------------------------------------------

def route_sights_sql() -> str:
    """The statement route_sights runs (parameters: route, an eco-route id, and metres). The
    sights near the track are read through the heritage tables' indexes (the planner's corridor
    boxes), then tested exactly on the ellipsoid."""
    return f"""
        WITH route AS (SELECT track AS geom FROM routes_ecoroute WHERE id = %(route)s),
        boxes AS ({corridor_boxes_sql("route", "%(metres)s")}),
        sights AS ({sights_sql()})
        SELECT s.layer, s.id, s.name_kk, s.name_ru, s.name_en, s.category,
               s.significance_rank, s.unesco, s.is_nature, s.approximate,
               ST_Distance(s.geom::geography, r.geom::geography) / 1000.0,
               ST_X(s.geom), ST_Y(s.geom)
        FROM ({NEAR_SIGHTS_SQL}) s, route r
        WHERE ST_DWithin(s.geom::geography, r.geom::geography, %(metres)s)
        ORDER BY s.significance_rank DESC, 11, s.layer, s.id
        """


def route_sights(route: EcoRoute, buffer_km: float = ROUTE_SIGHTS_BUFFER_KM) -> list[dict]:
    """Heritage sights within buffer_km of the route's full track: a query, never a list
    stored with the route."""
    with connection.cursor() as cursor:
        cursor.execute(route_sights_sql(), {"route": route.pk, "metres": buffer_km * 1000})
        rows = cursor.fetchall()
    from .planner import _local

    result = []
    for row in rows:
        names = {"name_kk": row[2], "name_ru": row[3], "name_en": row[4]}
        result.append({"layer": row[0], "id": row[1], "name": _local(names),
                       "category": row[5], "significance_rank": row[6], "unesco": row[7],
                       "is_nature": row[8], "approximate": row[9],
                       "distance_km": round(row[10], 2), "lon": row[11], "lat": row[12]})
    return result


def _visible_route(pk: int) -> EcoRoute:
    return get_object_or_404(EcoRoute.objects.select_related(
        "start_settlement", "end_settlement", "oblast", "district"), pk=pk, published=True)


@require_GET
def route_sights_api(request, pk: str):
    # Any text reaches this API view, so that a wrong id gets a JSON answer, not a page.
    route_id = path_id(pk)
    route = (EcoRoute.objects.filter(pk=route_id, published=True).first()
             if route_id is not None else None)
    if route is None:
        return JsonResponse({"error": _("No published eco-route has the id %(id)s: ids are "
                                        "whole numbers, see the routes layer "
                                        "/api/layers/eco-routes/.") % {"id": pk[:30]},
                             "field": "pk"}, status=404)
    raw = request.GET.get("buffer_km")
    try:
        buffer_km = float(raw) if raw not in (None, "") else ROUTE_SIGHTS_BUFFER_KM
    except ValueError:
        buffer_km = -1
    if not 0 < buffer_km <= MAX_ROUTE_SIGHTS_BUFFER_KM:
        return JsonResponse({"error": _("buffer_km must be above 0 and at most %(max)s.") %
                             {"max": MAX_ROUTE_SIGHTS_BUFFER_KM}, "field": "buffer_km"},
                            status=400)
    return JsonResponse({"route": route.pk, "buffer_km": buffer_km,
                         "sights": route_sights(route, buffer_km)},
                        json_dumps_params={"ensure_ascii": False})


def _route_document(route: EcoRoute) -> Document:
    description = route.description
    if route.is_sample:
        description = _("Sample route for the demonstration.") + " " + description
    return Document(name=route.name, description=description.strip(),
                    lines=[list(line.coords) for line in route.track])


def _route_filename(route: EcoRoute, extension: str) -> str:
    return f"route-{route.pk}-{slugify(route.name_en or route.name_ru, allow_unicode=False)}" \
           f".{extension}"


@require_GET
def route_gpx(request, pk: int):
    route = _visible_route(pk)
    return _download(gpx_document(_route_document(route)), GPX_TYPE,
                     _route_filename(route, "gpx"))


@require_GET
def route_kml(request, pk: int):
    route = _visible_route(pk)
    return _download(kml_document(_route_document(route)), KML_TYPE,
                     _route_filename(route, "kml"))


@require_GET
def route_page(request, pk: int):
    from gis_portal.accounts.permissions import Action, may
    from gis_portal.photos.actions import photos_of

    route = _visible_route(pk)
    area = route.okrug or route.district or route.oblast
    geojson = {"type": "Feature", "geometry": json.loads(route.geom.geojson),
               "properties": {"name": route.name}}
    sights = route_sights(route)
    return render(request, "routes/route.html", {
        "route": route, "sights": sights, "photos": photos_of(route),
        "can_manage": area is not None and may(request.user, Action.CHANGE, area),
        "route_map": {**map_config(), "geojson": geojson,
                      "sights": [{"name": s["name"], "lon": s["lon"], "lat": s["lat"]}
                                 for s in sights]},
    })


FORM_FIELDS = ("name_kk", "name_ru", "name_en", "kind", "difficulty", "duration_hours",
               "season_start_month", "season_end_month", "description_kk", "description_ru",
               "description_en", "organisation")


def _fields_from(post) -> dict:
    return {name: post[name] for name in FORM_FIELDS if post.get(name, "") != ""}


@require_POST
def import_route_api(request):
    """Staff: a new route from an uploaded GPX or KML file (multipart field `track`)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in as staff of the route's area."),
                             "field": None}, status=403)
    upload = request.FILES.get("track")
    if upload is None:
        return JsonResponse({"error": _("Attach the GPX or KML file as `track`."),
                             "field": "track"}, status=400)
    try:
        route = actions.import_route(user=request.user, data=upload.read(),
                                     filename=upload.name, fields=_fields_from(request.POST))
    except ActionError as error:
        return error_json(error)
    return JsonResponse({"id": route.pk, "length_km": round(route.length_km, 3),
                         "url": reverse("routes:route", args=[route.pk])}, status=201)


@require_http_methods(["POST", "DELETE"])
def route_write_api(request, pk: int):
    """Staff: change a route's fields (POST form fields), or delete it (DELETE)."""
    route = get_object_or_404(EcoRoute, pk=pk)
    try:
        if request.method == "DELETE":
            actions.delete_route(user=request.user, route=route)
            return JsonResponse({"deleted": pk})
        upload = request.FILES.get("track")
        if upload is not None:
            actions.replace_track(user=request.user, route=route, data=upload.read(),
                                  filename=upload.name)
        fields = _fields_from(request.POST)
        if "published" in request.POST:
            fields["published"] = request.POST["published"] in ("1", "true", "on")
        if fields:
            actions.update_route(user=request.user, route=route, fields=fields)
    except ActionError as error:
        return error_json(error)
    return JsonResponse({"id": route.pk, "length_km": round(route.length_km, 3)})


@require_POST
def route_photo_api(request, pk: int):
    """Staff: add a photo to a route (multipart field `photo`, optional `caption`)."""
    route = get_object_or_404(EcoRoute, pk=pk)
    upload = request.FILES.get("photo")
    if upload is None:
        return JsonResponse({"error": _("Attach the image as `photo`."), "field": "photo"},
                            status=400)
    try:
        photo = actions.add_route_photo(user=request.user, route=route, upload=upload,
                                        caption=request.POST.get("caption", "")[:300])
    except ActionError as error:
        return error_json(error)
    return JsonResponse({"id": photo.pk, "url": photo.url,
                         "thumbnail_url": photo.thumbnail_url}, status=201)


@login_required
@require_http_methods(["GET", "POST"])
def import_route_page(request):
    """Staff's page to upload a GPX/KML track as a new route."""
    context = {"kinds": EcoRoute.Kind.choices, "difficulties": EcoRoute.Difficulty.choices,
               "months": range(1, 13), "values": request.POST, "status": 200}
    if request.method == "POST":
        upload = request.FILES.get("track")
        try:
            if upload is None:
                raise actions.RouteError(_("Attach the GPX or KML file."), "track")
            route = actions.import_route(user=request.user, data=upload.read(),
                                         filename=upload.name, fields=_fields_from(request.POST))
        except ActionError as error:
            context.update(error=error.message, error_field=error.field)
            return render(request, "routes/import.html", context, status=error.status)
        return redirect("routes:route", pk=route.pk)
    return render(request, "routes/import.html", context)
