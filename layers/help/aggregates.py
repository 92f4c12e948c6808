"""Low zooms of the help map, counted from bitmaps the database keeps current.

At z <= AGGREGATE_MAX_ZOOM (9) a tile holds one point per area (a point on the area's surface)
with `count`, the number of public requests there that match the filters:
z <= 5 oblasts, z 6-7 districts, z 8-9 rural okrugs (or the level of the `area=` filter, if
finer).

The counts answer every filter of the list except "near me" and a bounding box: area, topic,
kind, status, family situation, age (band, from, to) and publication dates. Each chain of area
tags (HelpStatCell) holds its public requests in publication-date order, and one bitmap per
filter value (HelpChainBitmap, a bit per request in that order). An area's count is, over its
chains: OR the bitmaps of each filter's chosen values, AND the filters, keep the run of
positions inside the date range (two binary searches in the chain's dates), count the ones.
That reads a few bitmaps per chain instead of the requests: no GROUP BY over a million rows.
"Near me" and the bounding box draw the requests themselves at that zoom. A viewer who may see
unpublished requests of some area (staff) also gets the requests: the bitmaps hold public
requests only.

The per-area stats (layers.core.private_stats) of the public requests read the same cells'
counts and summed amounts: public_stat_cells().

Privacy: an area whose count is below settings.TZ_PRIVACY_MIN_GROUP is left out of the tile,
so no tile shows a count of 1 to 4. (Counts of nested levels could be subtracted from each
other; that says no more than the points from z10, where every public request is drawn at its
coarsened position anyway.)
"""

from gis_portal.accounts.permissions import Action, areas_where
from tiles.area_counts import LEVELS, answerable, area_count_tile, map_level

from .filters import HelpRequestFilterSet, bands_overlapping
from .models import HelpStatCell

AGGREGATE_MAX_ZOOM = 9
ANSWERED_FILTERS = {"area", "topic", "kind", "status", "family", "age_band", "age_from",
                    "age_to", "published_after", "published_before"}


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
    cell_sql, cell_params = area_count_sql(level, chosen_keys(data),
                                           data.get("published_after"),
                                           data.get("published_before"))
    return area_count_tile([level], cell_sql, cell_params, scope_sql, scope_params)


def chosen_keys(data: dict) -> list[list[str]]:
    """The HelpChainBitmap keys each filter with a value accepts, one list per filter: a
    request matches a filter when it has any of its keys, and the filters all together."""
    keys = [[f"{name}:{data[name]}"] for name in ("topic", "kind", "status") if data.get(name)]
    if data.get("family"):
        keys.append([f"family:{code}" for code in sorted(data["family"])])
    bands = set(data["age_band"]) if data.get("age_band") else None
    for name, low_high in (("age_from", lambda v: (v, None)), ("age_to", lambda v: (None, v))):
        if data.get(name) is not None:
            overlapping = set(bands_overlapping(*low_high(int(data[name]))))
            bands = overlapping if bands is None else bands & overlapping
    if bands is not None:
        keys.append([f"age:{band}" for band in sorted(bands)])  # none left: nothing matches
    return keys


def area_count_sql(level: str, keys: list[list[str]], published_after,
                   published_before) -> tuple[str, list]:
    """A SELECT yielding `n`, the area `a`'s public requests (at `level`) with the keys and
    inside the publication dates, summed over the area's chains."""
    assert level in LEVELS  # a column name below
    # Positions [d.first, d.stop) of a chain's requests published inside the dates (0-based;
    # undated requests are last, and outside any date range).
    date_params = []
    first, stop = "0", "c.count"
    if published_after:
        first = "width_bucket(%s::date - 1, c.published_dates)"
        stop = "cardinality(c.published_dates)"
        date_params.append(published_after)
    if published_before:
        stop = "width_bucket(%s::date, c.published_dates)"
        date_params.append(published_before)
    dates = f"CROSS JOIN LATERAL (SELECT {first} AS first, {stop} AS stop) d"
    if not keys:
        sql = (f"SELECT sum(greatest(d.stop - d.first, 0))::integer AS n "
               f"FROM help_helpstatcell c {dates} WHERE c.{level}_id = a.id")
        return sql, date_params
    filters = ", ".join(f"bit_or(b.bits) FILTER (WHERE b.key = ANY(%s)) AS f{n}"
                        for n in range(len(keys)))
    matching = " & ".join(f"f.f{n}" for n in range(len(keys)))
    if date_params:
        matching = f"substring({matching} FROM d.first + 1 FOR greatest(d.stop - d.first, 0))"
        chain = f"JOIN help_helpstatcell c ON c.id = f.cell_id {dates}"
    else:
        chain = ""
    # A chain without any key of one filter has no request matching it: that filter's OR
    # is NULL, and so is the chain's count, which sum() skips.
    sql = (f"SELECT sum(bit_count({matching}))::integer AS n FROM ("
           f"SELECT b.cell_id, {filters} FROM help_helpchainbitmap b "
           f"WHERE b.{level}_id = a.id AND b.key = ANY(%s) GROUP BY b.cell_id) f {chain}")
    every_key = sorted({key for accepted in keys for key in accepted})
    return sql, [*keys, every_key, *date_params]


def public_stat_cells() -> list[dict]:
    """The cells private_stats groups, for the public requests: what its GROUP BY over
    HelpRequestLayer.public_queryset() yields, read from the counts (a few thousand rows)."""
    rows = (HelpStatCell.objects.filter(count__gt=0)  # cells whose requests all left
            .values_list("oblast_id", "district_id", "okrug_id", "count", "amount_needed"))
    # A stored 0 is a sum over no amount at all (amounts are positive): NULL, as SUM gives.
    return [{"oblast_id": oblast, "district_id": district, "okrug_id": okrug, "_count": count,
             "_sum_amount_needed": amount or None}
            for oblast, district, okrug, count, amount in rows]
