"""Low zooms of the help map from HelpAreaCount (kept current by a database trigger).

At z <= AGGREGATE_MAX_ZOOM (9) a tile holds one point per area (a point on the area's surface)
with `count`, the number of public requests there that match the filters:
z <= 5 oblasts, z 6-7 districts, z 8-9 rural okrugs (or the level of the `area=` filter, if
finer).

Filters the counts answer: area, topic, kind, status, age_band, age_from, age_to. Any other
filter with a value (family situation, publication dates, near/within, bbox) is not in the
counts: the tile then falls back to drawing the requests themselves at that zoom. A viewer who
may see unpublished requests of some area (staff) also gets the requests, since the counts hold
public requests only.

The per-area stats (layers.core.private_stats) of the public requests read HelpStatCell, the
same counts by chain of area tags with the summed amount needed: public_stat_cells().

Privacy: an area whose count is below settings.TZ_PRIVACY_MIN_GROUP is left out of the tile,
so no tile shows a count of 1 to 4. (Counts of nested levels could be subtracted from each
other; that says no more than the points from z10, where every public request is drawn at its
coarsened position anyway.)
"""

from django.conf import settings
from django.utils.translation import get_language

from gis_portal.accounts.permissions import Action, areas_where

from .filters import HelpRequestFilterSet, bands_overlapping
from .models import HelpStatCell

AGGREGATE_MAX_ZOOM = 9
ANSWERED_FILTERS = {"area", "topic", "kind", "status", "age_band", "age_from", "age_to"}
# Parameters that never change which requests are counted.
NEUTRAL_PARAMETERS = {"lang", "format", "limit", "cursor", "ordering", "simplify", "level"}
LEVEL_DEPTH = {"oblast": 0, "district": 1, "okrug": 2}
PROPERTY_NAMES = ("count", "level", "kato", "name")


def level_for_zoom(zoom: int) -> str:
    if zoom <= 5:
        return "oblast"
    if zoom <= 7:
        return "district"
    return "okrug"


def answerable(request) -> bool:
    """True when every filter of the request is one the counts answer."""
    for name, values in request.GET.lists():
        if name in ANSWERED_FILTERS or name in NEUTRAL_PARAMETERS:
            continue
        if any(value != "" for value in values):
            return False
    return True


def aggregate_tile_query(request, zoom: int):
    """(sql, params, property names) for Layer.aggregate_tile_query, or None for points."""
    if not answerable(request):
        return None
    roots = areas_where(getattr(request, "user", None), Action.VIEW_PRIVATE)
    if roots is None or roots:
        return None  # staff see unpublished requests of their areas: draw the rows
    filterset = HelpRequestFilterSet(request.GET)
    if not filterset.is_valid():
        return None  # the points path reports what is wrong, as the list does
    data = filterset.form.cleaned_data
    level = level_for_zoom(zoom)
    where, params = ["c.level = %s"], []
    for name, column in (("topic", "topic"), ("kind", "kind_id"), ("status", "status")):
        if data.get(name):
            where.append(f"c.{column} = %s")
            params.append(data[name])
    bands = None
    if data.get("age_band"):
        bands = set(data["age_band"])
    for name, low_high in (("age_from", lambda v: (v, None)), ("age_to", lambda v: (None, v))):
        if data.get(name) is not None:
            overlapping = set(bands_overlapping(*low_high(int(data[name]))))
            bands = overlapping if bands is None else bands & overlapping
    if bands is not None:
        where.append("c.age_band = ANY(%s)")
        params.append(sorted(bands))
    area_sql = ""
    area_params: list = []
    kato = request.GET.get("area")
    if kato:
        from layers.core.query import resolve_area

        area = resolve_area(kato)  # a bad code: BadQuery (400), as on the list
        if LEVEL_DEPTH[area.level] > LEVEL_DEPTH[level]:
            level = area.level
        # The area itself, its children and grandchildren: whichever sit at `level`.
        area_sql = (" AND (a.id = %s OR a.parent_id = %s OR a.parent_id IN "
                    "(SELECT id FROM areas_adminarea WHERE parent_id = %s))")
        area_params = [area.pk, area.pk, area.pk]
    params.insert(0, level)
    language = (get_language() or "kk")[:2]
    name_sql = "COALESCE(NULLIF(a.name_kk, ''), a.name_ru)"
    if language in ("ru", "en"):
        name_sql = f"COALESCE(NULLIF(a.name_{language}, ''), {name_sql})"
    # The tile's areas first (GiST on the boundary), then each area's cells (the unique index
    # leads with level, area): never a GROUP BY over the whole level.
    sql = (
        f"SELECT a.id AS id, ST_PointOnSurface(COALESCE(a.geom_simplified, a.geom)) AS geom, "
        f"c.n AS count, a.level AS level, a.kato AS kato, {name_sql} AS name "
        f"FROM tile_bounds "
        f"JOIN areas_adminarea a ON a.geom && tile_bounds.envelope AND a.level = %s "
        f"JOIN areas_boundarygeneration g ON g.id = a.generation_id AND g.is_current "
        f"CROSS JOIN LATERAL (SELECT sum(c.count)::integer AS n FROM help_helpareacount c "
        f"WHERE c.area_id = a.id AND {' AND '.join(where)}) c "
        f"WHERE c.n >= %s{area_sql}"
    )
    return sql, (level, *params, settings.TZ_PRIVACY_MIN_GROUP, *area_params), PROPERTY_NAMES


def public_stat_cells() -> list[dict]:
    """The cells private_stats groups, for the public requests: what its GROUP BY over
    HelpRequestLayer.public_queryset() yields, read from the counts (a few thousand rows)."""
    rows = (HelpStatCell.objects.filter(count__gt=0)  # cells whose requests all left
            .values_list("oblast_id", "district_id", "okrug_id", "count", "amount_needed"))
    # A stored 0 is a sum over no amount at all (amounts are positive): NULL, as SUM gives.
    return [{"oblast_id": oblast, "district_id": district, "okrug_id": okrug, "_count": count,
             "_sum_amount_needed": amount or None}
            for oblast, district, okrug, count, amount in rows]
