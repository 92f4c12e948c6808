"""Administrative geography API: point lookup, area lists and area details."""

import json
import re

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from layers.core.errors import BadQuery, NotFound, error_response
from layers.core.geojson import dumps
from layers.core.params import inside_kazakhstan, parse_float, parse_lon_lat_values
from layers.core.views import JSON, PortalAPIView

from . import schema
from .models import AdminArea, BoundaryGeneration

# One statement per lookup. The generation is resolved inside it (the current one unless a
# code is given), the containing areas come from the subdivided parts (a few small polygons per
# bounding-box hit), and the nearest settlement from a KNN scan of the point index. LATERAL
# keeps that scan on the index: joining the point in the same FROM made PostgreSQL sort every
# settlement instead. The five nearest by degrees are re-ranked by metres on the spheroid.
LOOKUP_SQL = """
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS g),
gen AS (SELECT id, code FROM areas_boundarygeneration
        WHERE CASE WHEN %(code)s::text IS NULL THEN is_current ELSE code = %(code)s::text END)
SELECT gen.code, a.level, a.kato, a.name_kk, a.name_ru, a.name_en, a.approximate,
       NULL::float8
FROM gen, pt, areas_adminareapart p JOIN areas_adminarea a ON a.id = p.area_id
WHERE p.generation_id = gen.id AND ST_Intersects(p.geom, pt.g)
UNION ALL
SELECT * FROM (
  SELECT gen.code, 'settlement', s.kato, s.name_kk, s.name_ru, s.name_en, false,
         ST_DistanceSphere(s.geom, pt.g) AS metres
  FROM gen, pt, LATERAL (SELECT s.* FROM areas_settlement s WHERE s.geom IS NOT NULL
                         ORDER BY s.geom <-> pt.g LIMIT 5) s
  ORDER BY metres LIMIT 1
) nearest
"""


def _unknown_generation(code: str) -> BadQuery:
    known = ", ".join(BoundaryGeneration.objects.values_list("code", flat=True)) or "none"
    return BadQuery(f"unknown boundary generation {code!r}; known: {known}", "generation")


# Every parameter is checked against the format the OpenAPI schema declares before it reaches
# a query: a stray byte is the caller's mistake (400), never a database error.
KATO_CODE = re.compile(schema.KATO_PATTERN)
GENERATION_CODE = re.compile(schema.GENERATION_PATTERN)


def parse_kato(raw: str, parameter: str) -> str:
    if not KATO_CODE.fullmatch(raw):
        raise BadQuery(f"{parameter} must be a KATO code of 9 digits, e.g. 750000000",
                       parameter)
    return raw


def parse_generation_code(request) -> str | None:
    """The `generation` parameter: a generation code, or None for the current generation."""
    code = request.GET.get("generation")
    if not code:
        return None
    if not GENERATION_CODE.fullmatch(code):
        raise BadQuery("generation must be a boundary generation code (letters, digits, '_' "
                       "or '-', at most 16), e.g. 2024", "generation")
    return code


def _generation(request) -> BoundaryGeneration:
    code = parse_generation_code(request)
    try:
        if code:
            return BoundaryGeneration.objects.get(code=code)
        return BoundaryGeneration.current()
    except BoundaryGeneration.DoesNotExist:
        raise _unknown_generation(code) from None


def _area_json(level, kato, kk, ru, en, approximate) -> dict:
    return {"level": level, "kato": kato, "name": {"kk": kk, "ru": ru, "en": en},
            "approximate": approximate}


@require_GET
def area_lookup(request):
    """Which oblast, district and rural okrug a point is in, and the nearest settlement.

    A plain view with one SQL statement: this is the portal's hottest read (every map
    click), documented in the OpenAPI schema by layers.areas.schema."""
    try:
        lon, lat = parse_lon_lat_values(request.GET.get("lon"), request.GET.get("lat"))
        code = parse_generation_code(request)
        found, generation = {}, code
        if inside_kazakhstan(lon, lat):
            with connection.cursor() as cursor:
                cursor.execute(LOOKUP_SQL, {"lon": lon, "lat": lat, "code": code})
                rows = cursor.fetchall()
            for row_generation, level, kato, kk, ru, en, approximate, metres in rows:
                generation = row_generation
                entry = _area_json(level, kato, kk, ru, en, approximate)
                if metres is not None:
                    entry["distance_km"] = round(metres / 1000, 2)
                    del entry["approximate"], entry["level"]
                found.setdefault(level, entry)
        if code and not found and not BoundaryGeneration.objects.filter(code=code).exists():
            raise _unknown_generation(code)
        if "oblast" not in found:
            raise NotFound(f"the point {lon:.5f}, {lat:.5f} is outside Kazakhstan")
    except (BadQuery, NotFound) as error:
        return error_response(error)
    body = {"lon": lon, "lat": lat, "generation": generation,
            "oblast": found.get("oblast"), "district": found.get("district"),
            "okrug": found.get("okrug"), "settlement": found.get("settlement")}
    return HttpResponse(dumps(body), content_type=JSON)


def _geometry_sql(request, default: str) -> tuple[str, list]:
    mode = request.GET.get("geometry", default)
    if mode not in ("none", "simplified", "full"):
        raise BadQuery("geometry must be none, simplified or full", "geometry")
    tolerance = request.GET.get("simplify")
    if tolerance not in (None, ""):
        value = parse_float(tolerance, "simplify")
        if not (0 < value <= 1):
            raise BadQuery("simplify is a tolerance in degrees, above 0 and at most 1",
                           "simplify")
        return "ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, %s), 6)", [value]
    if mode == "none":
        return "NULL", []
    column = "a.geom_simplified" if mode == "simplified" else "a.geom"
    return f"ST_AsGeoJSON({column}, 6)", []


AREA_COLUMNS = ("a.id, a.level, a.kato, a.kind, a.name_kk, a.name_ru, a.name_en, a.approximate, "
                "a.geometry_note, a.area_km2, a.geom IS NOT NULL, p.kato")


def _area_row_json(row, geometry) -> dict:
    (_, level, kato, kind, kk, ru, en, approximate, note, km2, has_geom, parent) = row
    body = _area_json(level, kato, kk, ru, en, approximate)
    body.update({"kind": kind, "parent": parent, "has_geometry": has_geom,
                 "geometry_note": note, "area_km2": km2})
    if geometry is not None:
        body["geometry"] = geometry
    return body


GENERATION_PARAMETER = OpenApiParameter(
    "generation", str, pattern=schema.GENERATION_PATTERN,
    description="boundary generation code, e.g. 2018 (default: the current one)")
SIMPLIFY_PARAMETER = OpenApiParameter(
    "simplify", {"type": "number", "format": "double", "minimum": 0, "exclusiveMinimum": True,
                 "maximum": 1}, description="simplification tolerance in degrees, above 0 and at most 1 "
                                   "(overrides geometry)")


def geometry_parameter(default: str) -> OpenApiParameter:
    return OpenApiParameter("geometry", str, enum=schema.GEOMETRY_MODES, default=default,
                            description="none, the simplified overview, or the full boundary")


def responses(ok: dict, description: str, errors: dict[int, str]) -> dict:
    """An operation's responses: the JSON body of 200 and the JSON error of each 4xx."""
    return {200: OpenApiResponse(ok, description=description),
            **{status: OpenApiResponse(schema.ERROR, description=text)
               for status, text in errors.items()}}


class AreaListView(PortalAPIView):
    @extend_schema(
        operation_id="areas_list",
        summary="Administrative areas by level and parent",
        parameters=[
            OpenApiParameter("level", str, enum=schema.LEVELS),
            OpenApiParameter("parent", str, pattern=schema.KATO_PATTERN,
                             description="KATO code of the parent area"),
            GENERATION_PARAMETER, geometry_parameter("none"), SIMPLIFY_PARAMETER,
        ],
        responses=responses(schema.AREA_LIST, "the areas, ordered by KATO code",
                            {400: "a parameter is malformed, or names an unknown "
                                  "generation or parent"}),
    )
    def get(self, request):
        generation = _generation(request)
        geometry_sql, geometry_params = _geometry_sql(request, "none")
        where, params = ["a.generation_id = %s"], [generation.pk]
        level = request.GET.get("level")
        if level:
            if level not in AdminArea.Level.values:
                raise BadQuery("level must be oblast, district or okrug", "level")
            where.append("a.level = %s")
            params.append(level)
        parent = request.GET.get("parent")
        if parent:
            parse_kato(parent, "parent")
            if not AdminArea.objects.filter(generation=generation, kato=parent).exists():
                raise BadQuery(f"no area with KATO code {parent!r} in generation "
                               f"{generation.code}", "parent")
            where.append("p.kato = %s")
            params.append(parent)
        sql = (f"SELECT {AREA_COLUMNS}, {geometry_sql} FROM areas_adminarea a "
               f"LEFT JOIN areas_adminarea p ON p.id = a.parent_id "
               f"WHERE {' AND '.join(where)} ORDER BY a.kato")
        with connection.cursor() as cursor:
            cursor.execute(sql, geometry_params + params)
            rows = cursor.fetchall()
        areas = [_area_row_json(row[:-1], _raw(row[-1])) for row in rows]
        return HttpResponse(dumps({"generation": generation.code, "count": len(areas),
                                   "areas": areas}), content_type=JSON)


def _raw(text):
    return None if text is None else json.loads(text)


class AreaDetailView(PortalAPIView):
    @extend_schema(
        operation_id="areas_retrieve",
        summary="One administrative area: names, parent chain, children, geometry",
        parameters=[OpenApiParameter("kato", str, OpenApiParameter.PATH,
                                     pattern=schema.KATO_PATTERN,
                                     description="KATO code of the area"),
                    GENERATION_PARAMETER, geometry_parameter("simplified"),
                    SIMPLIFY_PARAMETER],
        responses=responses(schema.AREA_DETAIL, "the area",
                            {400: "a parameter is malformed or names an unknown generation",
                             404: "no area with this KATO code in the generation"}),
    )
    def get(self, request, kato):
        parse_kato(kato, "kato")
        generation = _generation(request)
        geometry_sql, geometry_params = _geometry_sql(request, "simplified")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {AREA_COLUMNS}, {geometry_sql} FROM areas_adminarea a "
                f"LEFT JOIN areas_adminarea p ON p.id = a.parent_id "
                f"WHERE a.generation_id = %s AND a.kato = %s",
                geometry_params + [generation.pk, kato],
            )
            row = cursor.fetchone()
        if row is None:
            raise NotFound(f"no area with KATO code {kato!r} in generation {generation.code}")
        body = _area_row_json(row[:-1], _raw(row[-1]))
        area = AdminArea.objects.get(pk=row[0])
        body["generation"] = generation.code
        body["ancestors"] = [_area_json(a.level, a.kato, a.name_kk, a.name_ru, a.name_en,
                                        a.approximate) for a in area.ancestors()]
        children = (area.children.annotate(has_geometry=ExpressionWrapper(
            Q(geom__isnull=False), output_field=BooleanField())).defer("geom", "geom_simplified")
            .order_by("kato"))
        body["children"] = [
            _area_json(c.level, c.kato, c.name_kk, c.name_ru, c.name_en, c.approximate)
            | {"has_geometry": c.has_geometry}
            for c in children
        ]
        return HttpResponse(dumps(body), content_type=JSON)
