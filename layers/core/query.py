"""From a request's query string to a layer's queryset: one path shared by the GeoJSON list,
exports, per-area stats and tiles, so every surface filters the same way."""

import functools
import math
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    F,
    FloatField,
    Func,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import QueryDict

from gis_portal.privacy.coarsen import public_distance_sql

from .errors import BadQuery
from .geojson import feature_text_expression
from .layer import Layer
from .params import Near, parse_bbox, parse_near
from .statements import (
    STATEMENTS,
    CompiledStatement,
    KeysetAfter,
    Slot,
    at_most,
    in_box,
    sphere_distance,
    statement_key,
    stats_statement_of,
    within_degrees,
)

# Their values are bound when a compiled statement runs (geometric_values), not compiled in.
GEOMETRIC_PARAMETERS = ("bbox", "near", "within")
# Parameters the core understands; everything else is handed to the layer's FilterSet.
CORE_PARAMETERS = {"area", "bbox", "near", "within", "limit", "cursor", "ordering", "format",
                   "level", "simplify", "lang"}


# The area's identity and names; its boundaries are read lazily if a layer ever needs them.
_AREA_FIELDS = {"id", "generation_id", "kato", "level", "kind", "parent_id", "name_kk",
                "name_ru", "name_en", "approximate"}


# The current generation's area with a code: for resolve_area and inside compiled statements.
_CURRENT_AREA_BY_KATO = ("FROM areas_adminarea a JOIN areas_boundarygeneration g "
                         "ON g.id = a.generation_id WHERE g.is_current AND a.kato = %s")


@functools.cache
def _area_statement() -> tuple[str, list[str]]:
    from layers.areas.models import AdminArea

    # Model.from_db takes the values in the model's field order.
    columns = [f.attname for f in AdminArea._meta.concrete_fields if f.attname in _AREA_FIELDS]
    sql = "SELECT " + ", ".join(f"a.{column}" for column in columns) + " " + _CURRENT_AREA_BY_KATO
    return sql, columns


def resolve_area(kato: str):
    """The area of the current generation with this KATO code, or a 400 saying what is wrong.
    One indexed statement, no ORM query building: the low-zoom count tiles resolve their
    area= filter on every tile."""
    from layers.areas.models import AdminArea

    kato = kato.strip()
    if not (kato.isdigit() and len(kato) == 9):
        raise BadQuery("area must be a 9-digit KATO code, e.g. area=751000000 (Almaty)", "area")
    sql, columns = _area_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [kato])
        row = cursor.fetchone()
    if row is None:
        raise BadQuery(f"no area with KATO code {kato} in the current boundary generation",
                       "area")
    return AdminArea.from_db(connection.alias, columns, row)


def current_area_id_sql() -> str:
    """A subquery: the id of the current generation's area whose code is its one parameter,
    looked up by the statement itself. A statement compiled once serves every later request,
    and a new boundary generation (new ids) changes what it finds without recompiling."""
    return f"(SELECT a.id {_CURRENT_AREA_BY_KATO})"


def _current_area_id(kato: str) -> RawSQL:
    """current_area_id_sql() as an ORM expression for this code."""
    return RawSQL(current_area_id_sql()[1:-1], (kato,), output_field=BigIntegerField())


@dataclass(frozen=True)
class AreaReference:
    """What Layer.filter_by_area needs of an area= filter: its code, level and id (here an
    expression the statement evaluates)."""

    kato: str
    level: str
    pk: object


def _cursor_signer(salt: str) -> signing.Signer:
    """The keyset cursors' signer for this salt, made once per secret: a Signer reads its keys
    from the settings when made, which a list page would otherwise pay on every request."""
    return _signer(salt, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


@functools.lru_cache(maxsize=512)
def _signer(salt: str, key: str, fallback_keys: tuple) -> signing.Signer:
    return signing.Signer(key=key, salt=salt, fallback_keys=list(fallback_keys))


@dataclass
class LayerQuery:
    layer: Layer
    request: object
    near: Near | None = None

    def area_reference(self, params=None):
        """The area= filter as an AreaReference (None without one), checked to exist now."""
        params = self.request.GET if params is None else params
        kato = params.get("area")
        if not kato:
            return None
        area = resolve_area(kato)
        return AreaReference(kato=area.kato, level=area.level, pk=_current_area_id(area.kato))

    def filtered(self, params=None, apply_filterset: bool = True,
                 slots: bool = False) -> QuerySet:
        """The visible rows matching area, bbox, near and the layer's own filters. With slots,
        the bbox and near values are Slots (a statement compiled for every box and point:
        bind them with geometric_values())."""
        params = self.request.GET if params is None else params
        queryset = self.layer.visible_queryset(self.request)
        if apply_filterset and self.layer.filterset_class is not None:
            # A layer's own filter may share a core parameter's name (the areas layer's level).
            own = self.layer.filterset_class.base_filters
            # Every value of a repeated parameter (a multiple-choice filter's kind=a&kind=b).
            getlist = getattr(params, "getlist", lambda k: [params[k]])
            layer_params = QueryDict(mutable=True)
            for k in params:
                if k not in CORE_PARAMETERS or k in own:
                    layer_params.setlist(k, getlist(k))
            unknown = set(layer_params) - set(self.layer.filterset_class.base_filters)
            if unknown:
                own_names = ", ".join(own) or "none"
                raise BadQuery(
                    f"unknown parameter(s) {', '.join(sorted(unknown))} for layer "
                    f"{self.layer.slug}; its filters are: {own_names} (see /api/layers/)",
                    sorted(unknown)[0],
                )
            filterset = self.layer.filterset_class(layer_params, queryset=queryset)
            if not filterset.is_valid():
                name, messages = next(iter(filterset.errors.items()))
                raise BadQuery(f"{name}: {' '.join(messages)}", name)
            queryset = filterset.qs
        if params.get("area"):
            queryset = self.layer.filter_by_area(queryset, self.area_reference(params))
        if params.get("bbox"):
            # An exact test (the GiST index still prefilters): a polygon whose box overlaps but
            # whose shape misses the bbox is not in it, as in a tile of the same box.
            values = self.geometric_values(params)
            bounds = [Slot(f"bbox_{i}") for i in range(4)] if slots else [
                values[f"bbox_{i}"] for i in range(4)]
            queryset = queryset.filter(in_box(self.layer.public_geometry_field, bounds))
        if params.get("near"):
            values = self.geometric_values(params)
            queryset = self._filter_near(queryset, values, slots)
        return queryset

    def geometric_values(self, params=None) -> dict:
        """The bbox= and near= values of a request (validated: a 400 says what to fix), by the
        names of the Slots a compiled statement takes them in."""
        params = self.request.GET if params is None else params
        values = {}
        if params.get("bbox"):
            box = parse_bbox(params["bbox"]).extent
            values.update({f"bbox_{i}": box[i] for i in range(4)})
        if params.get("near"):
            self.near = near = parse_near(params["near"], params.get("within"))
            # dwithin on a lon/lat column takes degrees: a box wide enough for the distance at
            # this latitude uses the GiST index, the sphere distance then keeps the circle.
            degrees = near.km / (111.32 * max(math.cos(math.radians(abs(near.point.y) + 1)),
                                              0.1))
            values.update({"near_lon": near.point.x, "near_lat": near.point.y,
                           "near_degrees": degrees, "near_metres": near.km * 1000.0})
        return values

    def _filter_near(self, queryset: QuerySet, values: dict, slots: bool) -> QuerySet:
        # Only the public geometry: a coarsened layer's exact position never meets a filter.
        geom = self.layer.public_geometry_field
        value = (lambda name: Slot(name)) if slots else values.__getitem__
        return (
            queryset.filter(within_degrees(geom, value("near_lon"), value("near_lat"),
                                           value("near_degrees")))
            .annotate(distance_m=sphere_distance(geom, value("near_lon"), value("near_lat")))
            .filter(at_most("distance_m", value("near_metres")))
        )

    def public_distance_expression(self) -> Func:
        """The distance_m column as responses show it: to 0.1 m, or as the privacy toolkit
        shows distances to coarsened points (public_distance_sql) on a layer that has them."""
        if self.layer.coarsened:
            return Func(F("distance_m"), template=public_distance_sql("%(expressions)s"),
                        output_field=FloatField())
        return Func(F("distance_m"), template="round((%(expressions)s)::numeric, 1)::float8",
                    output_field=FloatField())

    # --- ordering and keyset paging -------------------------------------------------------
    def ordering_parameter(self, params=None) -> str:
        params = self.request.GET if params is None else params
        return params.get("ordering", "")

    def ordered(self, queryset: QuerySet, params=None) -> tuple[QuerySet, list[str]]:
        """Order by a public property (or the distance with near=), then pk."""
        ordering = self.ordering_parameter(params)
        if self.near is not None and not ordering:
            return queryset.order_by("distance_m", "pk"), ["distance_m", "pk"]
        if not ordering:
            return queryset.order_by("pk"), ["pk"]
        field = ordering[1:] if ordering.startswith("-") else ordering
        allowed = list(self.layer.ordering_fields) + (["distance"] if self.near else [])
        if field not in allowed:
            choices = ", ".join(allowed) or "none"
            raise BadQuery(f"ordering must be one of: {choices} (prefix - for descending)",
                           "ordering")
        direction = "-" if ordering.startswith("-") else ""
        if field == "distance":
            order = [f"{direction}distance_m", f"{direction}pk"]
            return queryset.order_by(*order), order
        expression = self.layer.ordering_expression(field)
        source = F(expression) if isinstance(expression, str) else expression
        queryset = queryset.annotate(_order_source=source)
        sentinel, key_type = self._null_sentinel(
            queryset.query.annotations["_order_source"].output_field)
        queryset = queryset.annotate(
            _order_key=Coalesce(F("_order_source"), sentinel, output_field=key_type))
        order = [f"{direction}_order_key", f"{direction}pk"]
        return queryset.order_by(*order), order

    @staticmethod
    def _null_sentinel(output_field):
        """A value sorting where NULL would, and the sort key's type (keyset paging needs a
        total order without NULLs). Integers sort as bigint: -1 is out of a positive
        integer field's range, and Django would turn `> -1` into "always true"."""
        internal = output_field.get_internal_type()
        if internal in ("CharField", "TextField"):
            return Value(""), TextField()
        if internal in ("FloatField", "DecimalField"):
            return Value(-1.0), FloatField()
        if internal == "BooleanField":
            return Value(False), BooleanField()
        if "Integer" in internal or internal == "AutoField":
            return Value(-1), BigIntegerField()
        return Value(None), output_field

    # Cursors are signed per layer and ordering: a hand-made or tampered cursor, or one from
    # another ordering, is refused, so a cursor can never probe values a page did not show.
    def _cursor_salt(self, params=None) -> str:
        params = self.request.GET if params is None else params
        return (f"layers.cursor:{self.layer.slug}:{self.ordering_parameter(params)}:"
                f"{params.get('near', '')}")

    # Not timestamped: the same page always carries the same next link, so a list page's
    # ETag holds until its rows change. Not compressed: a sort key and an id gain nothing.
    def encode_cursor(self, values: list, params=None) -> str:
        return _cursor_signer(self._cursor_salt(params)).sign_object(values)

    def decode_cursor(self, cursor: str, params=None) -> list:
        try:
            values = _cursor_signer(self._cursor_salt(params)).unsign_object(cursor)
        except (signing.BadSignature, ValueError, UnicodeError):
            raise BadQuery("cursor is not valid for this layer and ordering: use the next "
                           "link of the previous page, or start from the first page",
                           "cursor") from None
        if not isinstance(values, list) or not values:
            raise BadQuery("cursor is not valid: use the next link of the previous page",
                           "cursor")
        return values

    def cursor_values(self, order: list[str], cursor: str) -> dict:
        """The Slot values of a keyset statement (see keyset()) for this cursor."""
        values = self.decode_cursor(cursor)
        if len(values) != len(order):
            raise BadQuery("cursor does not match this ordering: start from the first page",
                           "cursor")
        return {f"cursor_{index}": value for index, value in enumerate(values)}

    @staticmethod
    def keyset(queryset: QuerySet, order: list[str]) -> QuerySet:
        """Rows strictly after a cursor's (sort key, pk), its values given when the statement
        runs (cursor_values): a range scan, never an OFFSET."""
        descending = order[0].startswith("-")
        slots = tuple(Slot(f"cursor_{index}") for index in range(len(order)))
        key = F(order[0].lstrip("-"))
        pk = F(order[-1].lstrip("-"))
        return queryset.filter(KeysetAfter(key, pk, descending, slots))

    # --- compiled statements (layers.core.statements) ---------------------------------------
    def list_statement(self, limit: int, with_cursor: bool) -> CompiledStatement:
        """The GeoJSON list's statement: one page of limit + 1 rows (the extra one says a next
        page exists), after a cursor given as Slots when with_cursor. A row is (pk, the
        Feature's JSON text, the cursor's sort keys)."""
        def compile_statement():
            queryset, order = self.ordered(self.filtered(slots=True))
            if with_cursor:
                queryset = self.keyset(queryset, order)
            keys = tuple(o.lstrip("-") for o in order if o.lstrip("-") != "pk")
            # With near= every feature tells its distance, whatever the ordering.
            distance = ({"distance_m": self.public_distance_expression()}
                        if self.near is not None else {})
            values = queryset.annotate(
                _feature=feature_text_expression(self.layer, extra_properties=distance),
            ).values_list("pk", "_feature", *keys)[: limit + 1]
            return CompiledStatement.of(values, order=order)

        key = statement_key(self.layer, self.request, "list", limit, with_cursor,
                            ignore=("cursor", "limit", "lang", *GEOMETRIC_PARAMETERS))
        return STATEMENTS.get_or_compile(key, compile_statement)

    def stats_statement(self, level: str, params) -> CompiledStatement | None:
        """The stats' GROUP BY for level with the response's `areas` written as JSON by
        PostgreSQL (None: the layer computes its stats itself)."""
        def compile_statement():
            queryset = self.layer.stats_queryset(self.filtered(params, slots=True), level)
            if queryset is None:
                return None
            return stats_statement_of(queryset, level, self.layer.stats_entry_sql(queryset))

        key = statement_key(self.layer, self.request, "stats", level,
                            ignore=("lang", "level", *GEOMETRIC_PARAMETERS))
        return STATEMENTS.get_or_compile(key, compile_statement)
