"""Low zooms drawn from per-area counts: the pieces every counting layer shares.

A dense layer (help requests, volunteers) keeps counts per area in a table of its own, kept
current by database triggers, and draws its low zooms from them (Layer.aggregate_tile_query):
one point per area on the area's surface with `count`, `level`, `kato` and `name`:
z <= 5 oblasts, z 6-7 districts, z 8-9 rural okrugs, or the level of the `area=` filter if
finer. An area whose count is below settings.TZ_PRIVACY_MIN_GROUP is left out of the tile.

The layer says which filters its counts answer (`answerable`), and how to sum its cells for one
area (`area_count_tile`'s `cell_sql`, a SELECT yielding `n` for the area `a`); this module
does the rest, so both layers draw, scope and name their areas the same way.
"""

from django.conf import settings
from django.utils.translation import get_language

LEVELS = ("oblast", "district", "okrug")
# Parameters that never change which rows are counted.
NEUTRAL_PARAMETERS = {"lang", "format", "limit", "cursor", "ordering", "simplify", "level"}
PROPERTY_NAMES = ("count", "level", "kato", "name")


def level_for_zoom(zoom: int) -> str:
    if zoom <= 5:
        return "oblast"
    if zoom <= 7:
        return "district"
    return "okrug"


def answerable(request, answered_filters: set[str]) -> bool:
    """True when every filter of the request with a value is one the counts answer."""
    for name, values in request.GET.lists():
        if name in answered_filters or name in NEUTRAL_PARAMETERS:
            continue
        if any(value != "" for value in values):
            return False
    return True


def map_level(request, zoom: int) -> tuple[str, str, list]:
    """The level a tile at this zoom draws (the area= filter's own, if finer), and the SQL
    condition (on areas `a`) keeping the area= filter's area, children and grandchildren."""
    level = level_for_zoom(zoom)
    kato = request.GET.get("area")
    if not kato:
        return level, "", []
    from layers.core.query import current_area_id_sql, resolve_area

    area = resolve_area(kato)  # a bad code: BadQuery (400), as on the list
    if LEVELS.index(area.level) > LEVELS.index(level):
        level = area.level
    # The area by its code, looked up by the statement: a tile statement kept for this
    # request shape stays right when a new boundary generation arrives.
    area_id = current_area_id_sql()
    scope = (f" AND (a.id = {area_id} OR a.parent_id = {area_id} OR a.parent_id IN "
             f"(SELECT id FROM areas_adminarea WHERE parent_id = {area_id}))")
    return level, scope, [area.kato, area.kato, area.kato]


def _area_name_sql() -> str:
    """The area's name in the active language, falling back to Kazakh, then Russian."""
    language = (get_language() or "kk")[:2]
    name_sql = "COALESCE(NULLIF(a.name_kk, ''), a.name_ru)"
    if language in ("ru", "en"):
        name_sql = f"COALESCE(NULLIF(a.name_{language}, ''), {name_sql})"
    return name_sql


def area_count_tile(area_levels: list[str], cell_sql: str, cell_params: list, scope_sql: str,
                    scope_params: list) -> tuple[str, tuple, tuple]:
    """(sql, params, property names) for Layer.aggregate_tile_query: the tile's areas of these
    levels first (GiST on the boundary), then each area's sum (cell_sql, by the area `a`):
    never a GROUP BY over a whole level."""
    sql = (
        f"SELECT a.id AS id, ST_PointOnSurface(COALESCE(a.geom_simplified, a.geom)) AS geom, "
        f"c.n AS count, a.level AS level, a.kato AS kato, {_area_name_sql()} AS name "
        f"FROM tile_bounds "
        f"JOIN areas_adminarea a ON a.geom && tile_bounds.envelope AND a.level = ANY(%s) "
        f"JOIN areas_boundarygeneration g ON g.id = a.generation_id AND g.is_current "
        f"CROSS JOIN LATERAL ({cell_sql}) c "
        f"WHERE c.n >= %s{scope_sql}"
    )
    params = (list(area_levels), *cell_params, settings.TZ_PRIVACY_MIN_GROUP, *scope_params)
    return sql, params, PROPERTY_NAMES
