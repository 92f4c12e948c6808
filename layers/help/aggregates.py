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

from gis_portal.accounts.permissions import Action, areas_where
from tiles.area_counts import answerable, area_count_tile, map_level

from .filters import HelpRequestFilterSet, bands_overlapping
from .models import HelpStatCell

AGGREGATE_MAX_ZOOM = 9
ANSWERED_FILTERS = {"area", "topic", "kind", "status", "age_band", "age_from", "age_to"}


def aggregate_tile_query(request, zoom: int):
    """(sql, params, property names) for Layer.aggregate_tile_query, or None for points."""
    if not answerable(request, ANSWERED_FILTERS):
        return None
    roots = areas_where(getattr(request, "user", None), Action.VIEW_PRIVATE)
    if roots is None or roots:
        return None  # staff see unpublished requests of their areas: draw the rows
    filterset = HelpRequestFilterSet(request.GET)
    if not filterset.is_valid():
        return None  # the points path reports what is wrong, as the list does
    data = filterset.form.cleaned_data
    level, scope_sql, scope_params = map_level(request, zoom)
    where, params = ["c.area_id = a.id", "c.level = %s"], [level]
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
    # Each area's cells through the unique index that leads with area and level.
    cell_sql = (f"SELECT sum(c.count)::integer AS n FROM help_helpareacount c "
                f"WHERE {' AND '.join(where)}")
    return area_count_tile([level], cell_sql, params, scope_sql, scope_params)


def public_stat_cells() -> list[dict]:
    """The cells private_stats groups, for the public requests: what its GROUP BY over
    HelpRequestLayer.public_queryset() yields, read from the counts (a few thousand rows)."""
    rows = (HelpStatCell.objects.filter(count__gt=0)  # cells whose requests all left
            .values_list("oblast_id", "district_id", "okrug_id", "count", "amount_needed"))
    # A stored 0 is a sum over no amount at all (amounts are positive): NULL, as SUM gives.
    return [{"oblast_id": oblast, "district_id": district, "okrug_id": okrug, "_count": count,
             "_sum_amount_needed": amount or None}
            for oblast, district, okrug, count, amount in rows]
