"""Compiled statements of the layer API, reused across requests.

Building a layer's queryset (visibility rule, filter form, area, ordering, a score of property
expressions) and compiling it costs the ORM several milliseconds per request, more than the
database needs to answer. The statement only changes with the request's *shape*: the layer, the
language, who may see what, and the query parameters. So each view compiles a statement once
per shape and runs it directly afterwards.

- `StatementCache`: one bounded, thread-safe map from a shape to a compiled statement, shared
  by the GeoJSON list, the stats and the tiles.
- `statement_key()`: the shape of a request, or None when the layer's rows for this request
  cannot be shared with anyone else's (Layer.visibility_key returns None: then every request
  compiles its own statement, as before).
- `CompiledStatement`: SQL, parameters and the column converters Django would apply. A
  parameter may be a `Slot`, filled per request (a keyset cursor's values), so a statement
  compiled for one cursor serves every later page.
- `inline_constants()`: a compiled statement's constant parameters written into its text once.
  Django's psycopg backend binds on the client, so every parameter travels as a literal
  anyway; quoting a list page's two dozen constants took about a twentieth of its Python
  time on every request. Only the Slots stay placeholders.
- The area filter's KATO code is checked when a statement is compiled (an unknown code is a
  400); the statement itself looks up the current generation's area of that code, so a new
  boundary generation needs no recompiling.
"""

import re
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Expression, F, FloatField, QuerySet
from django.utils.translation import get_language
from psycopg.adapt import Loader

from .layer import LANGUAGES


class Utf8TextLoader(Loader):
    """psycopg loader leaving a text value as the UTF-8 bytes PostgreSQL sent."""

    def load(self, data) -> bytes:
        return bytes(data)


class Slot:
    """A statement parameter whose value is given when the statement runs."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"Slot({self.name!r})"


_PLACEHOLDER = re.compile(r"%%|%s")


def inline_constants(sql: str, params) -> tuple[str, tuple]:
    """(sql, params) with every parameter that is not a Slot written into the text as the
    literal the database would receive for it (Django's own quoting, connection.ops.
    compose_sql); the Slots remain `%s` placeholders, in order. A `%` inside a literal is
    doubled, so the text stays a template for the remaining parameters."""
    params = tuple(params)
    if all(isinstance(value, Slot) for value in params):
        return sql, params
    values = iter(params)
    slots = []

    def replace(match) -> str:
        if match.group() == "%%":
            return "%%"
        value = next(values)
        if isinstance(value, Slot):
            slots.append(value)
            return "%s"
        return connection.ops.compose_sql("%s", [value]).replace("%", "%%")

    text = _PLACEHOLDER.sub(replace, sql)
    if next(values, _MISSING) is not _MISSING:
        raise ValueError("more parameters than placeholders in a compiled statement")
    return text, tuple(slots)


def bind_slots(params, values: dict) -> tuple:
    """Statement parameters with every Slot replaced by its value."""
    return tuple(values[p.name] if isinstance(p, Slot) else p for p in params)


@dataclass
class CompiledStatement:
    sql: str
    params: tuple
    # Output names of the columns, in order (values() keys or values_list positions).
    names: tuple[str, ...] = ()
    # (position, converter functions, expression) as Django's compiler applies them.
    converters: list = field(default_factory=list)
    # Whatever the view needs besides the rows (ordering keys, distance column, …).
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, queryset: QuerySet, **extra) -> "CompiledStatement":
        """Compile a values()/values_list() queryset as Django would run it."""
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = inline_constants(*compiler.as_sql())
        names = tuple([*queryset.query.extra_select, *queryset.query.values_select,
                       *queryset.query.annotation_select])
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        return cls(sql=sql, params=params, names=names,
                   converters=[(position, functions, expression)
                               for position, (functions, expression) in converters.items()],
                   extra=extra)

    def bind(self, **values) -> tuple:
        """The parameters with every Slot replaced by its value."""
        return bind_slots(self.params, values)

    def fetch(self, text_as_utf8: bool = False, **values) -> list[tuple]:
        """Run the statement; the rows as the database sent them (no converters). With
        text_as_utf8, text columns stay the UTF-8 bytes PostgreSQL sent: a response that
        only passes them on never decodes and re-encodes them."""
        with connection.cursor() as cursor:
            if text_as_utf8:
                cursor.cursor.adapters.register_loader("text", Utf8TextLoader)
            cursor.execute(self.sql, self.bind(**values))
            return cursor.fetchall()

    def convert(self, row) -> list:
        """One fetched row with the field converters applied (JSON text parsed, geometry
        read, …) exactly as the ORM would."""
        row = list(row)
        for position, functions, expression in self.converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return row

    def rows(self, **values) -> list[list]:
        """Run the statement; rows as lists, with the field converters applied."""
        rows = self.fetch(**values)
        if not self.converters:
            return rows
        return [self.convert(row) for row in rows]


_MISSING = object()


def stats_statement_of(queryset: QuerySet, level: str,
                            entry_values: dict[str, str]) -> "CompiledStatement":
    """The stats response's `areas` as one JSON text written by PostgreSQL: per area of the
    level (by KATO code; rows untagged at the level have no area and are left out) its code,
    names, `approximate` flag and `entry_values` (name → SQL over the stats row `g`)."""
    inner = CompiledStatement.of(queryset)
    quote = connection.ops.quote_name
    names = ", ".join(f"'{language}', a.name_{language}" for language in LANGUAGES)
    values = "".join(f", '{name}', {sql}" for name, sql in entry_values.items())
    sql = (f"SELECT coalesce('[' || string_agg(json_build_object('kato', a.kato, 'name', "
           f"json_build_object({names}), 'approximate', coalesce(a.approximate, false)"
           f"{values})::text, ',' ORDER BY a.kato) || ']', '[]') "
           f"FROM ({inner.sql}) g JOIN areas_adminarea a ON a.id = g.{quote(level + '_id')}")
    return CompiledStatement(sql=sql, params=inner.params)


class StatementCache:
    """Compiled statements by shape. Bounded: when full it starts again from empty (shapes
    are few in practice: the map's filter panel and the tile pyramid)."""

    def __init__(self, max_entries: int = 2048):
        self.max_entries = max_entries
        self._entries: dict[tuple, object] = {}
        self._lock = threading.Lock()

    def get_or_compile(self, key: tuple | None, compile_statement):
        """The statement for this shape, compiled on first use (None: the caller's own)."""
        if key is None:
            return compile_statement()
        found = self._entries.get(key, _MISSING)
        if found is not _MISSING:
            return found
        compiled = compile_statement()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = compiled
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


STATEMENTS = StatementCache()


def statement_key(layer, request, purpose: str, *parts,
                  ignore: tuple[str, ...] = ()) -> tuple | None:
    """The shape of this request for `purpose` (list, stats, tile, …), or None if its rows
    are its own."""
    visibility = layer.visibility_key(request)
    if visibility is None:
        return None
    # An ignored parameter's value is bound when the statement runs: only its presence
    # shapes the statement.
    shape = tuple((name, tuple(values) if name not in ignore else any(values))
                  for name, values in sorted(request.GET.lists()))
    return (purpose, layer.slug, get_language(), visibility, parts, shape)


class KeysetAfter(Expression):
    """`(key, pk) > (cursor key, cursor pk)` (or < when descending) with the cursor's values
    as Slots: the rows strictly after a page's last row, a range scan on the sort key."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, key, pk, descending: bool, slots: tuple[Slot, ...]):
        super().__init__()
        self.key, self.pk = key, pk
        self.descending = descending
        self.slots = slots

    def get_source_expressions(self):
        return [self.key, self.pk]

    def set_source_expressions(self, expressions):
        self.key, self.pk = expressions

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False,
                           for_save=False):
        copy = self.copy()
        copy.key = self.key.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        copy.pk = self.pk.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return copy

    def as_sql(self, compiler, connection):
        op = "<" if self.descending else ">"
        pk_sql, pk_params = compiler.compile(self.pk)
        if self.key is self.pk or len(self.slots) == 1:
            return f"{pk_sql} {op} %s", [*pk_params, self.slots[0]]
        key_sql, key_params = compiler.compile(self.key)
        return (f"({key_sql} {op} %s OR ({key_sql} = %s AND {pk_sql} {op} %s))",
                [*key_params, self.slots[0], *key_params, self.slots[0], *pk_params,
                 self.slots[1]])


class SourcesExpression(Expression):
    """An expression over a list of ORM expressions (`sources`) that its as_sql compiles and
    writes into SQL of its own."""

    def __init__(self, sources: list, output_field):
        super().__init__(output_field=output_field)
        self.sources = list(sources)

    def get_source_expressions(self):
        return self.sources

    def set_source_expressions(self, expressions):
        self.sources = list(expressions)

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False,
                           for_save=False):
        copy = self.copy()
        copy.sources = [source.resolve_expression(query, allow_joins, reuse, summarize,
                                                  for_save) for source in self.sources]
        return copy


class BoundSQL(SourcesExpression):
    """A SQL snippet over ORM expressions whose own values are parameters, each a value or a
    Slot: `template` has {0}, {1}, … for the compiled sources and %s for `values`, in order.
    The geometric filters (bbox, near) use it so one compiled statement serves every box and
    every point."""

    def __init__(self, template: str, sources: list, values: list, output_field):
        super().__init__(sources, output_field)
        self.template = template
        self.values = list(values)

    @property
    def conditional(self):
        return isinstance(self.output_field, BooleanField)

    def as_sql(self, compiler, connection):
        parts, params = [], []
        for source in self.sources:
            sql, source_params = compiler.compile(source)
            parts.append(sql)
            params.extend(source_params)
        # Sources come first in every template below; the values follow them.
        return self.template.format(*parts), [*params, *self.values]


def point_sql(lon, lat) -> tuple[str, list]:
    return f"ST_SetSRID(ST_MakePoint(%s, %s), {settings.SRID})", [lon, lat]


def in_box(geometry: str, bounds: list) -> BoundSQL:
    """The geometry meets the box (min_lon, min_lat, max_lon, max_lat): an exact test the GiST
    index prefilters."""
    return BoundSQL(f"ST_Intersects({{0}}, ST_MakeEnvelope(%s, %s, %s, %s, {settings.SRID}))",
                    [F(geometry)], bounds, BooleanField())


def within_degrees(geometry: str, lon, lat, degrees) -> BoundSQL:
    point, values = point_sql(lon, lat)
    return BoundSQL(f"ST_DWithin({{0}}, {point}, %s)", [F(geometry)], [*values, degrees],
                    BooleanField())


def sphere_distance(geometry: str, lon, lat) -> BoundSQL:
    """Metres on the sphere, as the ORM's Distance on a lon/lat column."""
    point, values = point_sql(lon, lat)
    return BoundSQL(f"ST_DistanceSphere({{0}}, {point})", [F(geometry)], values, FloatField())


def at_most(expression_name: str, limit) -> BoundSQL:
    return BoundSQL("{0} <= %s", [F(expression_name)], [limit], BooleanField())
