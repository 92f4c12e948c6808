"""The Layer: one explicit class per map layer.

A layer names its model, title, geometry kind, public properties, filters, style, zoom range,
tile properties and its visibility rule. The registry turns every registered layer into the
same surface: catalogue entry, GeoJSON list and detail, per-area stats, MVT tiles, TileJSON
and exports. Nothing outside the layer class decides what a layer shows.

The public surface is declared once: `properties()` (built from `public_fields` by default)
names every value a response may carry, and `public_geometry_field` the only geometry it may
draw. Ordering, filters, cursors, `near=` distances, `bbox`, stats sums, exports and tiles all
work on that surface; `check_public_surface()` refuses, at registration, a layer that orders,
filters, tiles or sums on anything else. Every other column of the model is hidden.
"""

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import CharField, Expression, F, Func, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from django.utils.translation import get_language
from django_filters import FilterSet

POINT, LINE, POLYGON = "point", "line", "polygon"
LANGUAGES = ("kk", "ru", "en")
# Highest tile zoom any layer may be asked for (tiles.views.MAX_ZOOM).
MAX_TILE_ZOOM = 22


def localized(field_prefix: str) -> Expression:
    """The active language's value of a kk/ru/en field group, falling back to Kazakh."""
    language = (get_language() or "kk")[:2]
    if language not in LANGUAGES:
        language = "kk"
    fallback = Coalesce(NullIf(F(f"{field_prefix}_kk"), Value("")), F(f"{field_prefix}_ru"))
    if language == "kk":
        return fallback
    return Coalesce(NullIf(F(f"{field_prefix}_{language}"), Value("")), fallback)


# PostgreSQL's to_char pattern of ISO 8601 in UTC (2026-11-29T06:50:00Z), the form every
# response gives times in.
ISO_TIME_PATTERN = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'


def iso_time(column: str) -> Expression:
    """A timestamp as ISO 8601 text in UTC (ISO_TIME_PATTERN)."""
    return Func(F(column), Value(ISO_TIME_PATTERN),
                template="to_char(%(expressions)s)", arg_joiner=" AT TIME ZONE 'UTC', ",
                output_field=CharField())


def referenced_paths(expression) -> set[str]:
    """ORM paths (e.g. `parent__kato`) an expression or path string reads."""
    if isinstance(expression, str):
        return {expression}
    if isinstance(expression, F):
        return {expression.name}
    paths = set()
    for source in getattr(expression, "get_source_expressions", lambda: [])():
        if source is not None:
            paths |= referenced_paths(source)
    return paths


class Layer:
    # Identity and presentation
    slug: str = ""
    title = ""
    description = ""
    model = None
    geometry_kind: str = POINT
    # Colour, stroke and fill for Leaflet; icon is a name the map's legend knows.
    style: dict = {}
    min_zoom: int = 3
    max_zoom: int = 18
    # Dense layers are drawn from vector tiles, small ones from GeoJSON.
    render_as_tiles: bool = False
    shown_by_default: bool = False

    # Data surface. geom_field is the stored geometry; public_geometry_field (default: the
    # same) is the one every response, filter and distance uses. A layer whose stored position
    # is exact (a person's address) keeps a coarsened public copy and says how coarse it is.
    geom_field: str = "geom"
    public_geometry_field: str | None = None
    # Further public geometry columns a zoom may draw (a simplified overview of polygons).
    overview_geometry_fields: tuple[str, ...] = ()
    position_precision_m: int | None = None
    public_fields: tuple[str, ...] = ()
    tile_fields: tuple[str, ...] = ()
    field_labels: dict = {}
    filterset_class: type[FilterSet] | None = None
    # A filter with method= reads columns the registry cannot see: declare them here
    # (filter name -> model paths it reads); they must be public.
    filter_reads: dict[str, tuple[str, ...]] = {}
    # Names of properties() the list may be ordered by.
    ordering_fields: tuple[str, ...] = ()
    # Numeric properties summed per area in stats, next to the feature count.
    stat_sums: tuple[str, ...] = ()
    # Layers whose model is an AreaTaggedModel: area= filter and stats work through the tags.
    area_tagged: bool = True
    export_formats: tuple[str, ...] = ("csv", "geojson", "gpkg")

    # Privacy. A private layer holds personal data: its stats are suppressed below
    # settings.TZ_PRIVACY_MIN_GROUP and may not be narrowed by geometry or filters.
    private: bool = False
    # Model columns that must never be public; registration fails if one is.
    hidden_fields: tuple[str, ...] = ()
    # True when visible_queryset() depends on who asks: nothing of the layer is cached
    # across requests and its responses are `Cache-Control: private, no-store`.
    visibility_depends_on_user: bool = False

    def visibility_key(self, request):
        """Who-sees-what for this request, as a hashable value: requests with the same key see
        the same rows, so their compiled statements are shared (layers.core.statements).
        None: this request's rows are its own and its statements are compiled for it alone.
        A layer whose visibility depends on the user returns a key only for the viewers who
        see exactly the public rows."""
        return None if self.visibility_depends_on_user else "public"

    def __init__(self):
        if not self.slug or self.model is None:
            raise TypeError(f"{type(self).__name__} must set slug and model")
        if self.public_geometry_field is None:
            self.public_geometry_field = self.geom_field

    # --- visibility -------------------------------------------------------------------------
    def visible_queryset(self, request) -> QuerySet:
        """Rows this request may see. Layers with private or unpublished rows override this."""
        return self.model._default_manager.all()

    @property
    def coarsened(self) -> bool:
        """Positions are deliberately imprecise: distances are rounded too."""
        return self.position_precision_m is not None

    # --- properties ---------------------------------------------------------------------------
    def properties(self) -> dict[str, str | Expression]:
        """Output name → ORM path or expression for the GeoJSON properties."""
        return {name: name for name in self.public_fields}

    def tile_properties(self) -> dict[str, str | Expression]:
        every = self.properties()
        return {name: every[name] for name in self.tile_fields}

    # --- low zooms from aggregates (tiles.sql) ---------------------------------------------
    # A dense layer may draw tiles at z <= aggregate_tiles_max_zoom from counts it maintains
    # (one point per area with a count) instead of its rows. For such a zoom the tile path
    # calls aggregate_tile_query(request, z); None means "draw the rows as usual" (e.g. a
    # filter the aggregate cannot answer, or a viewer who sees more than the public).
    aggregate_tiles_max_zoom: int | None = None

    def aggregate_tile_query(self, request, zoom: int) -> tuple[str, tuple, tuple] | None:
        """(sql, params, property names) of the aggregate features at this zoom, or None.

        The SQL is a SELECT yielding `id` (integer), `geom` (a point in settings.SRID) and one
        column per property name. It may join the relation `tile_bounds` (one row, column
        `envelope`: the buffered tile in settings.SRID) to read only what the tile needs. It
        must never yield a count that singles out a person (apply the privacy threshold)."""
        return None

    def geometry_for_zoom(self, zoom: int | None) -> str:
        """The geometry column to draw at this zoom (None: full detail, e.g. GeoJSON)."""
        return self.public_geometry_field

    def label_for(self, name: str) -> str:
        if name in self.field_labels:
            return str(self.field_labels[name])
        try:
            return str(self.model._meta.get_field(name).verbose_name)
        except Exception:  # a computed property has no model field
            return name

    # --- the public surface -----------------------------------------------------------------
    def public_geometry_fields(self) -> set[str]:
        return {self.public_geometry_field, *self.overview_geometry_fields}

    def public_paths(self) -> set[str]:
        """Every ORM path the public properties read, in every language, plus the public
        geometry columns: the only columns ordering, filters and sums may touch."""
        paths = set(self.public_geometry_fields())
        for language in LANGUAGES:
            with translation.override(language):
                for expression in self.properties().values():
                    paths |= referenced_paths(expression)
        return paths

    def ordering_expression(self, name: str) -> str | Expression:
        """The expression an ordering name sorts by: the property of that name."""
        return self.properties()[name]

    def sum_path(self, name: str) -> str:
        """The column summed for a stat_sums name: the property's own path."""
        return self.properties()[name]

    def check_public_surface(self) -> None:
        """Refuse a layer whose ordering, filters, tiles, sums or geometry reach beyond its
        declared public surface. Raises ImproperlyConfigured naming the layer and the field."""
        name = f"layer {self.slug!r} ({type(self).__name__})"
        properties = self.properties()
        paths = self.public_paths()

        def fail(message):
            raise ImproperlyConfigured(f"{name}: {message}")

        for hidden in self.hidden_fields:
            leaking = sorted(p for p in paths if p == hidden or p.startswith(f"{hidden}__"))
            if leaking:
                fail(f"hidden field {hidden!r} is public through {', '.join(leaking)}")
        if self.public_geometry_field != self.geom_field and self.geom_field in paths:
            fail(f"exact geometry {self.geom_field!r} is public; the public geometry is "
                 f"{self.public_geometry_field!r}")
        for field in self.public_geometry_fields():
            self._require_model_path(field, fail, "geometry")
        for zoom in (None, *range(MAX_TILE_ZOOM + 1)):
            drawn = self.geometry_for_zoom(zoom)
            if drawn not in self.public_geometry_fields():
                fail(f"geometry_for_zoom({zoom}) draws {drawn!r}, which is not a public "
                     f"geometry ({', '.join(sorted(self.public_geometry_fields()))})")
        for field in self.ordering_fields:
            if field not in properties:
                fail(f"ordering field {field!r} is not a public property "
                     f"({', '.join(properties)})")
        for field in self.tile_fields:
            if field not in properties:
                fail(f"tile field {field!r} is not a public property")
        for field in self.stat_sums:
            if not isinstance(properties.get(field), str):
                fail(f"stat sum {field!r} is not a public property backed by a column")
        if self.filterset_class is not None:
            for filter_name, flt in self.filterset_class.base_filters.items():
                if flt.method is not None:
                    if filter_name not in self.filter_reads:
                        fail(f"filter {filter_name!r} uses a method: declare the fields it "
                             f"reads in filter_reads")
                    reads = self.filter_reads[filter_name]
                else:
                    reads = (flt.field_name,)
                for path in reads:
                    if path not in paths:
                        fail(f"filter {filter_name!r} reads {path!r}, which is not public")

    def _require_model_path(self, path: str, fail, what: str) -> None:
        try:
            self.model._meta.get_field(path.split("__")[0])
        except FieldDoesNotExist:
            fail(f"{what} {path!r} is not a field of {self.model.__name__}")

    # --- QR plaques (gis_portal.plaques) ---------------------------------------------------
    # A layer whose objects may carry a plate with a QR code sets `plaques = True`. Each
    # object of visible_queryset() then gets a stable short URL /p/<code> (made on first use,
    # never changed), QR codes at /p/<code>/qr.svg and qr.png, a plate on the printable sheet
    # (/plaques/sheet/), and the page the QR opens shows plaque_card(obj, language).
    # The layer must be area-tagged (the sheet selects and authorises by area).
    plaques: bool = False

    def plaque_names(self, obj) -> dict[str, str]:
        """The object's name in kk, ru and en for the printed plate ("" where unknown).
        The default reads name_kk, name_ru and name_en."""
        return {language: getattr(obj, f"name_{language}", "") or "" for language in LANGUAGES}

    def plaque_card(self, obj, language: str) -> dict:
        """What the plaque page shows of one public object in `language` ("kk", "ru" or "en"),
        each text falling back on its own to Kazakh, then Russian. Keys (only title needed):

          title             the name: text_in(obj, "name", language)
          subtitle          the kind, e.g. "Architecture monument · republican significance"
          paragraphs        list of texts: description, visiting information
          facts             list of (label, value) pairs, e.g. (_("Era"), "XI century")
          photos            list of {"url": thumbnail URL, "alt": text}
          approximate_note  a sentence when the position is approximate, else ""
          detail_url        the object's own page on the portal, if it has one

        Read kk/ru/en field groups with gis_portal.plaques.cards.text_in(obj, prefix,
        language) (None when all three are empty): it returns the text with the language it
        was found in, and the page marks a fallback with its own lang attribute. A plain str
        counts as `language`; gettext labels are fine, the card is built with `language`
        active. None values and empty texts are left out. Other keys are refused. Example:

            card = default_plaque_card(self, obj, language)  # gis_portal.plaques.cards
            card["subtitle"] = obj.get_kind_display()
            card["paragraphs"] = [text_in(obj, "description", language),
                                  text_in(obj, "visiting", language)]
            card["facts"] = [(_("Era"), obj.get_era_display())]
            card["detail_url"] = f"/heritage/monuments/{obj.pk}/"
            return card

        The default: the localized name, the model's verbose name as subtitle, every public
        field that has a value as a fact, the object's photos, and a note when the object has
        a true `approximate` attribute."""
        from gis_portal.plaques.cards import default_plaque_card

        return default_plaque_card(self, obj, language)

    def may_print_plaques(self, user, area) -> bool:
        """May this user print the plate sheet of this layer's objects in `area`? Default:
        may(user, CHANGE, area); a layer with its own staff role adds its action."""
        from gis_portal.accounts.permissions import Action, may

        return may(user, Action.CHANGE, area)

    # --- area filter ------------------------------------------------------------------------
    def filter_by_area(self, queryset: QuerySet, area) -> QuerySet:
        """Rows inside an administrative area: an indexed join on the area tags."""
        return queryset.filter(**{f"{area.level}_id": area.pk})

    # --- per-area statistics ----------------------------------------------------------------
    # The stats view runs stats_queryset() with the areas' codes and names joined and the
    # entries written as JSON by PostgreSQL (statements.stats_statement_of, compiled once per
    # request shape): stats_entry_sql() says what each entry holds besides its area.
    def stats_queryset(self, queryset: QuerySet, level: str) -> QuerySet | None:
        """One row per area tag of the level (`<level>_id`) with the count and sums, as
        values() rows. None when the layer computes its stats another way (it overrides
        stats())."""
        from django.db.models import Count, Sum

        sums = {f"_sum_{name}": Sum(self.sum_path(name)) for name in self.stat_sums}
        return (queryset.order_by().values(f"{level}_id")
                .annotate(_count=Count("pk"), **sums))

    def stats_entry_sql(self, stats_queryset: QuerySet) -> dict[str, str]:
        """An area's stats entry after its code, names and `approximate` flag: name → SQL
        over the stats_queryset row `g`. Counts and float sums are JSON numbers; a Decimal
        sum is its exact text, as every Decimal the API writes."""
        values = {"count": 'g."_count"'}
        for name in self.stat_sums:
            column = f'g."_sum_{name}"'
            field = stats_queryset.query.annotations[f"_sum_{name}"].output_field
            values[name] = (f"({column})::text" if field.get_internal_type() == "DecimalField"
                            else column)
        return values

    def stats(self, queryset: QuerySet, level: str) -> list[dict]:
        """Feature count and sums per area of one level: a GROUP BY over the area tags."""
        import orjson

        from .statements import stats_statement_of

        grouped = self.stats_queryset(queryset, level)
        statement = stats_statement_of(grouped, level, self.stats_entry_sql(grouped))
        return orjson.loads(statement.fetch()[0][0])

    def private_stat_cells(self, queryset: QuerySet) -> list[dict] | None:
        """A private layer's stat cells for exactly the rows of `queryset`, from counts the
        layer maintains, or None: layers.core.private_stats then groups the rows. A cell is a
        dict of oblast_id, district_id, okrug_id, _count and _sum_<name> (None when no row
        has a value) for each of stat_sums, as that GROUP BY yields; suppression stays
        private_stats' own. Return cells only when they stand for these very rows: never for
        a filtered subset, nor for the larger set a staff member sees."""
        return None
