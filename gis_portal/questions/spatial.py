"""Spatial questions over the programme's layers, each answered as groups of GeoJSON features.

Five kinds (QUESTIONS): everything within N km of a point or a drawn shape, everything inside
an area, the gap map of open help requests against volunteers per okrug, low-employment
settlements with no investment project within N km, and sights within N km of a route.

Every answer reads the layers through the registry and the same query path as /api/layers
(LayerQuery, feature_rows: the declared public surface only). Private layers contribute
nothing to a geometric question (a count within a radius could be subtracted from another to
single out a person); the gap map uses their suppressed per-okrug tables only. Answers are the
same for everyone: they are computed as an anonymous visitor sees the data, so a saved
permalink shows the same thing to whoever opens it.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import GEOSException, GEOSGeometry, LineString, MultiLineString
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.core.errors import BadQuery
from layers.core.geojson import COORDINATE_PRECISION, dumps, feature_rows, feature_text
from layers.core.params import inside_kazakhstan, parse_float, parse_lon_lat
from layers.core.private_stats import private_stats
from layers.core.query import LayerQuery, resolve_area
from layers.core.registry import layer_registry

# Features of one layer in one answer, nearest first; the total is still counted.
PER_LAYER_LIMIT = 500
MAX_RADIUS_KM = 200.0
MAX_ROUTE_KM = 100.0
MAX_SHAPE_POINTS = 5000
MAX_SIGHTS = 2000
# Polygons (areas) are drawn with their overview geometry in answers: a radius round Almaty
# must not ship every oblast's full outline.
ANSWER_ZOOM = 8
HELP_LAYER = "help-requests"
VOLUNTEER_LAYER = "volunteers"
ROUTE_LAYER = "eco-routes"
# CRS names a GeoJSON "crs" member may give: all mean WGS 84 longitude/latitude.
WGS84_NAMES = {"EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:OGC:1.3:CRS84",
               "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84", "CRS84",
               "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
               "http://www.opengis.net/def/crs/EPSG/0/4326"}


@dataclass
class AnswerGroup:
    """One part of an answer: the features of one layer (or one table, e.g. okrugs)."""
    name: str
    title: str
    features: list = field(default_factory=list)  # (id, properties dict, geometry JSON text)
    total: int = 0
    truncated: bool = False


@dataclass
class Answer:
    kind: str
    parameters: dict
    groups: list[AnswerGroup]
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    generated_at: object = field(default_factory=timezone.now)

    def summary(self) -> dict:
        return {"type": "FeatureCollection", "kind": self.kind, "parameters": self.parameters,
                "generated_at": self.generated_at.isoformat(),
                "groups": [{"name": g.name, "title": str(g.title), "count": len(g.features),
                            "total": g.total, "truncated": g.truncated} for g in self.groups],
                "notes": [str(n) for n in self.notes], **self.extra}

    def geojson_text(self) -> str:
        """The answer as one FeatureCollection; each feature's properties name its group."""
        head = dumps(self.summary())[:-1]
        features = []
        for group in self.groups:
            for pk, props, geometry in group.features:
                features.append(feature_text(pk, {"group": group.name, **props}, geometry))
        return f'{head},"features":[{",".join(features)}]}}'


# --- parameters --------------------------------------------------------------------------------

def _km(params, name: str, default: float, maximum: float) -> float:
    raw = params.get(name)
    km = default if raw in (None, "") else parse_float(raw, name)
    if not (0 < km <= maximum):
        raise BadQuery(_("%(name)s must be a distance in km, above 0 and at most %(max)g")
                       % {"name": name, "max": maximum}, name)
    return km


def _reject_unknown(params, known: set[str], kind: str) -> None:
    unknown = sorted(set(params) - known - {"lang", "format"})
    if unknown:
        raise BadQuery(_("unknown parameter(s) %(names)s; the question %(kind)s takes: "
                         "%(known)s") % {"names": ", ".join(unknown), "kind": kind,
                                         "known": ", ".join(sorted(known))}, unknown[0])


def parse_geometry(raw: str, allowed: tuple[str, ...], parameter: str = "geometry"):
    """A GeoJSON geometry (or Feature) in WGS 84 lon/lat inside Kazakhstan, or a 400 that
    says what is wrong: not JSON, another CRS, projected coordinates, an invalid shape."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        raise BadQuery(_("%(p)s must be a GeoJSON geometry, e.g. {\"type\": \"Point\", "
                         "\"coordinates\": [76.93, 43.26]}") % {"p": parameter},
                       parameter) from None
    if not isinstance(data, dict):
        raise BadQuery(_("%(p)s must be a GeoJSON object") % {"p": parameter}, parameter)
    crs = data.get("crs")
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
        crs = crs or (data.get("crs") if isinstance(data, dict) else None)
    if crs is not None:
        name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
        if name not in WGS84_NAMES:
            raise BadQuery(_("%(p)s must be in WGS 84 longitude/latitude (EPSG:4326, CRS84); "
                             "its crs is %(crs)s: reproject it first")
                           % {"p": parameter, "crs": name or crs}, parameter)
    if not isinstance(data, dict) or data.get("type") not in allowed:
        raise BadQuery(_("%(p)s must be a GeoJSON %(types)s") % {
            "p": parameter, "types": " or ".join(allowed)}, parameter)
    try:
        geometry = GEOSGeometry(json.dumps({"type": data["type"],
                                            "coordinates": data.get("coordinates")}))
    except (GEOSException, ValueError, TypeError, KeyError):
        raise BadQuery(_("%(p)s has coordinates GeoJSON cannot read: give [longitude, "
                       "latitude] pairs") % {"p": parameter}, parameter) from None
    geometry.srid = 4326
    if geometry.empty:
        raise BadQuery(_("%(p)s is empty") % {"p": parameter}, parameter)
    if geometry.num_coords > MAX_SHAPE_POINTS:
        raise BadQuery(_("%(p)s has more than %(n)d points: simplify it")
                       % {"p": parameter, "n": MAX_SHAPE_POINTS}, parameter)
    min_x, min_y, max_x, max_y = geometry.extent
    if not (-180 <= min_x and max_x <= 180 and -90 <= min_y and max_y <= 90):
        raise BadQuery(_("%(p)s coordinates are not longitude/latitude degrees (projected "
                         "metres?): send WGS 84 (EPSG:4326)") % {"p": parameter}, parameter)
    if not geometry.valid:
        raise BadQuery(_("%(p)s is not a valid shape (%(reason)s): fix the outline, e.g. "
                         "no crossing edges") % {"p": parameter, "reason": geometry.valid_reason},
                       parameter)
    if not (inside_kazakhstan(min_x, min_y) and inside_kazakhstan(max_x, max_y)):
        raise BadQuery(_("%(p)s is outside Kazakhstan: draw it on the map of Kazakhstan")
                       % {"p": parameter}, parameter)
    return geometry


def _public_request():
    """A request as an anonymous visitor makes it: answers never depend on who asks."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


def _buffer(shape, km: float):
    """The shape grown by km on the ellipsoid (geography buffer), as a lon/lat polygon."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsEWKB(ST_Buffer(ST_GeomFromEWKB(%s)::geography, %s)"
                       "::geometry)", [bytes(shape.ewkb), km * 1000.0])
        buffer = GEOSGeometry(memoryview(bytes(cursor.fetchone()[0])))
    buffer.srid = 4326
    return buffer


def _layer_group(layer, queryset, order_by_distance: bool, query: LayerQuery) -> AnswerGroup:
    group = AnswerGroup(name=layer.slug, title=layer.title)
    group.total = queryset.count()
    if order_by_distance:
        # The distance as the layer shows it (rounded, or coarsened), by the statement.
        queryset = (queryset.annotate(_public_distance=query.public_distance_expression())
                    .order_by("distance_m", "pk"))
        extra = ("_public_distance",)
    else:
        queryset = queryset.order_by("pk")
        extra = ()
    zoom = ANSWER_ZOOM if layer.geometry_kind == "polygon" else None
    for pk, props, geometry, values in feature_rows(layer, queryset[:PER_LAYER_LIMIT],
                                                    zoom=zoom, extra=extra):
        if extra:
            props["distance_m"] = values[0]
        group.features.append((pk, props, geometry))
    group.truncated = group.total > len(group.features)
    return group


def _public_layers():
    return [layer for layer in layer_registry.all() if not layer.private]


def _withheld_note() -> str:
    private = sorted(layer.slug for layer in layer_registry.all() if layer.private)
    return _("Layers with personal data (%(layers)s) are not searched by place: their "
             "per-area counts are on the gap map and in each layer's stats.") % {
        "layers": ", ".join(private)}


# --- the questions -----------------------------------------------------------------------------

class Question:
    kind = ""
    title = ""
    parameters: tuple[str, ...] = ()

    def clean(self, params) -> dict:
        """The parameters that define this question (strings), validated; BadQuery if not."""
        raise NotImplementedError

    def run(self, params) -> Answer:
        raise NotImplementedError


class WithinQuestion(Question):
    kind = "within"
    title = gettext_lazy("Everything within N km of a point or a drawn shape")
    parameters = ("lon", "lat", "geometry", "km")

    def parse(self, params):
        _reject_unknown(params, set(self.parameters), self.kind)
        km = _km(params, "km", 5.0, MAX_RADIUS_KM)
        if params.get("geometry"):
            if params.get("lon") or params.get("lat"):
                raise BadQuery(_("give either lon and lat or geometry, not both"), "geometry")
            shape = parse_geometry(params["geometry"], ("Point", "LineString", "Polygon",
                                                        "MultiPolygon", "MultiLineString"))
        else:
            shape = parse_lon_lat(params.get("lon"), params.get("lat"))
            if not inside_kazakhstan(shape.x, shape.y):
                raise BadQuery(_("the point is outside Kazakhstan"), "lon")
        return shape, km

    def clean(self, params) -> dict:
        self.parse(params)
        return {k: str(params[k]) for k in self.parameters if params.get(k) not in (None, "")}

    def run(self, params) -> Answer:
        shape, km = self.parse(params)
        buffer = _buffer(shape, km)
        request = _public_request()
        groups = []
        for layer in _public_layers():
            query = LayerQuery(layer, request)
            geom = layer.public_geometry_field
            queryset = (query.filtered(QueryDict(""), apply_filterset=False)
                        .filter(**{f"{geom}__intersects": buffer})
                        .annotate(distance_m=Distance(geom, shape)))
            groups.append(_layer_group(layer, queryset, True, query))
        return Answer(self.kind, self.clean(params), groups, notes=[_withheld_note()],
                      extra={"shape": json.loads(shape.geojson), "km": km})


class AreaQuestion(Question):
    kind = "area"
    title = gettext_lazy("Everything inside an area")
    parameters = ("area",)

    def clean(self, params) -> dict:
        _reject_unknown(params, set(self.parameters), self.kind)
        if not params.get("area"):
            raise BadQuery(_("give area, a 9-digit KATO code (e.g. 750000000, Almaty)"), "area")
        resolve_area(params["area"])
        return {"area": params["area"].strip()}

    def run(self, params) -> Answer:
        cleaned = self.clean(params)
        area = resolve_area(cleaned["area"])
        request = _public_request()
        groups = []
        for layer in _public_layers():
            query = LayerQuery(layer, request)
            if not layer.area_tagged and layer.slug != "areas":
                continue
            queryset = query.filtered(QueryDict(f"area={area.kato}"), apply_filterset=False)
            groups.append(_layer_group(layer, queryset, False, query))
        outline = area.geom_simplified or area.geom
        return Answer(self.kind, cleaned, groups, notes=[_withheld_note()],
                      extra={"area": {"kato": area.kato, "name": area.names(),
                                      "level": area.level, "approximate": area.approximate},
                             "shape": json.loads(outline.geojson) if outline else None})


class HelpGapQuestion(Question):
    """Per okrug: open help requests against listed volunteers, counts only, each side
    suppressed top-down (layers.core.private_stats) below settings.TZ_PRIVACY_MIN_GROUP."""
    kind = "help-gaps"
    title = gettext_lazy("Gap map: open help requests against volunteers per okrug")
    parameters = ("area",)

    def clean(self, params) -> dict:
        _reject_unknown(params, set(self.parameters), self.kind)
        if params.get("area"):
            resolve_area(params["area"])
            return {"area": params["area"].strip()}
        return {}

    def run(self, params) -> Answer:
        from layers.areas.models import AdminArea

        cleaned = self.clean(params)
        area = resolve_area(cleaned["area"]) if cleaned.get("area") else None
        threshold = settings.TZ_PRIVACY_MIN_GROUP
        request = _public_request()
        help_layer = layer_registry.get(HELP_LAYER)
        open_help = help_layer.visible_queryset(request).filter(status="open")
        help_rows = private_stats(help_layer, open_help, "okrug", area)
        volunteer_layer = layer_registry.get(VOLUNTEER_LAYER)
        notes = []
        if volunteer_layer is not None:
            volunteer_rows = private_stats(volunteer_layer,
                                           volunteer_layer.visible_queryset(request),
                                           "okrug", area)
        else:
            volunteer_rows = []
            notes.append(_("The volunteers list is not available yet: only help requests "
                           "are counted."))
        help_by = {r["kato"]: r["count"] for r in help_rows if r.get("kato")}
        volunteers_by = {r["kato"]: r["count"] for r in volunteer_rows if r.get("kato")}
        katos = sorted(set(help_by) | set(volunteers_by))
        okrugs = {a.kato: a for a in AdminArea.objects.filter(
            generation__is_current=True, kato__in=katos, level="okrug")}
        group = AnswerGroup(name="okrugs", title=_("Rural okrugs"))
        for kato in katos:
            okrug = okrugs.get(kato)
            if okrug is None:
                continue
            help_count = help_by.get(kato)
            volunteers = volunteers_by.get(kato) if volunteer_layer is not None else None
            props = {
                "kato": kato, "name": okrug.names().get(_language()) or okrug.name_kk,
                "approximate": okrug.approximate,
                # None: fewer than the threshold (or none): absent and small look alike.
                "help_open": help_count, "volunteers": volunteers,
                "volunteers_available": volunteer_layer is not None,
            }
            # gap: open requests minus volunteers. With the volunteers under the threshold it
            # is a lower bound (as if threshold - 1 were listed) and gap_is_lower_bound says so.
            props["gap_is_lower_bound"] = False
            if help_count is not None and volunteers is not None:
                props["gap"] = help_count - volunteers
            elif help_count is not None and volunteer_layer is not None:
                props["gap"] = help_count - (threshold - 1)
                props["gap_is_lower_bound"] = True
            else:
                props["gap"] = None
            outline = okrug.geom_simplified or okrug.geom
            geometry = dumps(_rounded(json.loads(outline.geojson))) if outline else None
            group.features.append((okrug.pk, props, geometry))
        group.features.sort(key=lambda f: -(f[1]["gap"] if f[1]["gap"] is not None else -1e9))
        group.total = len(group.features)
        suppressed = {
            "help_open": [_suppressed_entry(r) for r in help_rows if r.get("suppressed")],
            "volunteers": [_suppressed_entry(r) for r in volunteer_rows if r.get("suppressed")],
        }
        notes.append(_("Counts below %(n)d are not shown (merged per district as "
                       "\"suppressed\"), so no person can be singled out; okrug outlines are "
                       "approximate.") % {"n": threshold})
        return Answer(self.kind, cleaned, [group], notes=notes,
                      extra={"min_group": threshold, "suppressed": suppressed,
                             "volunteers_available": volunteer_layer is not None})


def _suppressed_entry(row: dict) -> dict:
    return {"district": row.get("parent"), "count": row.get("count")}


def _language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "kk")[:2]


def _rounded(value):
    if isinstance(value, float):
        return round(value, COORDINATE_PRECISION)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


class InvestmentGapQuestion(Question):
    """Reuses layers.investments.gaps: its parameters, its SQL, its answer."""
    kind = "investment-gaps"
    title = gettext_lazy("Low-employment settlements with no investment project within N km")
    parameters = ("within_km", "min_rate", "area")

    def clean(self, params) -> dict:
        from layers.investments.gaps import parse_gap_query

        _reject_unknown(params, set(self.parameters), self.kind)
        return parse_gap_query({k: params[k] for k in self.parameters
                                if params.get(k) not in (None, "")}).params()

    def run(self, params) -> Answer:
        from layers.investments.gaps import find_gaps, parse_gap_query

        cleaned = self.clean(params)
        gaps = find_gaps(parse_gap_query(cleaned))
        language = _language()
        group = AnswerGroup(name="settlements", title=_("Settlements with a gap"))
        for gap in gaps:
            props = {"kato": gap.kato, "name": gap.name(language), "year": gap.year,
                     "unemployment_rate": gap.unemployment_rate,
                     "working_age_population": gap.working_age_population,
                     "unemployed": gap.unemployed, "source": gap.source,
                     "is_sample": gap.is_sample, "district": gap.district,
                     "url": f"/settlements/{gap.kato}/"}
            geometry = dumps({"type": "Point", "coordinates": [round(gap.lon, 6),
                                                               round(gap.lat, 6)]})
            group.features.append((gap.settlement_id, props, geometry))
        group.total = len(group.features)
        notes = []
        if any(g.is_sample for g in gaps):
            notes.append(_("Some employment figures are sample values, not official "
                           "statistics."))
        return Answer(self.kind, cleaned, [group], notes=notes)


class SightsNearRouteQuestion(Question):
    kind = "sights-near-route"
    title = gettext_lazy("Sights within N km of a route")
    parameters = ("route", "geometry", "km")

    def parse(self, params):
        _reject_unknown(params, set(self.parameters), self.kind)
        km = _km(params, "km", 10.0, MAX_ROUTE_KM)
        if params.get("route") and params.get("geometry"):
            raise BadQuery(_("give either route (an eco-route id) or geometry (a drawn "
                             "line), not both"), "route")
        if params.get("route"):
            raw = str(params["route"]).strip()
            if not (raw.isdigit() and len(raw) <= 18):
                raise BadQuery(_("route must be the id of an eco-route (a whole number)"),
                               "route")
            layer = layer_registry.get(ROUTE_LAYER)
            row = (layer.visible_queryset(_public_request()).filter(pk=int(raw))
                   .values_list(layer.public_geometry_field, "name_kk", "name_ru", "name_en")
                   .first())
            if row is None:
                raise BadQuery(_("no published eco-route with id %(id)s") % {"id": raw},
                               "route")
            line = row[0]
            name = {"kk": row[1], "ru": row[2], "en": row[3]}
        elif params.get("geometry"):
            line = parse_geometry(params["geometry"], ("LineString", "MultiLineString"))
            name = None
        else:
            raise BadQuery(_("give route (an eco-route id) or geometry (a drawn line)"),
                           "route")
        if isinstance(line, LineString):
            line = MultiLineString(line, srid=4326)
        return line, km, name

    def clean(self, params) -> dict:
        self.parse(params)
        return {k: str(params[k]) for k in self.parameters if params.get(k) not in (None, "")}

    def run(self, params) -> Answer:
        from layers.heritage.sights import SIGHTS_SQL
        from layers.routes.planner import NEAR_SIGHTS_SQL, corridor_boxes_sql

        line, km, route_name = self.parse(params)
        # The sights near the line are read through the heritage tables' indexes (the trip
        # planner's corridor boxes), then tested exactly on the ellipsoid.
        sql = f"""
            WITH route AS (SELECT ST_GeomFromEWKB(%(line)s) AS geom),
                 boxes AS ({corridor_boxes_sql("route", "%(metres)s")}),
                 sights AS ({SIGHTS_SQL})
            SELECT s.layer, s.id, s.name_kk, s.name_ru, s.name_en, s.category,
                   s.significance_rank, s.is_nature, s.unesco, s.approximate,
                   ST_AsGeoJSON(s.geom, {COORDINATE_PRECISION}),
                   ST_Distance(s.geom::geography, route.geom::geography)
              FROM ({NEAR_SIGHTS_SQL}) s, route
             WHERE ST_DWithin(s.geom::geography, route.geom::geography, %(metres)s)
             ORDER BY 12, s.layer, s.id
             LIMIT {MAX_SIGHTS + 1}"""
        with connection.cursor() as cursor:
            cursor.execute(sql, {"line": bytes(line.ewkb), "metres": km * 1000.0})
            rows = cursor.fetchall()
        language = _language()
        group = AnswerGroup(name="sights", title=_("Sights"))
        for row in rows[:MAX_SIGHTS]:
            names = {"kk": row[2], "ru": row[3], "en": row[4]}
            slug = row[0]
            props = {"layer": slug, "name": names.get(language) or names["kk"] or names["ru"],
                     "category": row[5], "significance_rank": row[6], "is_nature": row[7],
                     "unesco": row[8], "approximate": row[9],
                     "distance_m": round(row[11], 1),
                     "url": f"/heritage/{'monuments' if slug == 'monuments' else 'nature'}/"
                            f"{row[1]}/"}
            group.features.append((f"{slug}.{row[1]}", props, row[10]))
        group.total = len(group.features)
        group.truncated = len(rows) > MAX_SIGHTS
        extra = {"shape": json.loads(line.geojson), "km": km}
        if route_name:
            extra["route_name"] = route_name
        return Answer(self.kind, self.clean(params), [group], extra=extra)


QUESTIONS: dict[str, Question] = {q.kind: q for q in (
    WithinQuestion(), AreaQuestion(), HelpGapQuestion(), InvestmentGapQuestion(),
    SightsNearRouteQuestion())}


def get_question(kind: str) -> Question:
    question = QUESTIONS.get(kind)
    if question is None:
        raise BadQuery(_("no question %(kind)r; the questions are: %(kinds)s")
                       % {"kind": kind, "kinds": ", ".join(QUESTIONS)}, "kind")
    return question

