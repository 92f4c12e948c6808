"""Low zooms of the volunteers map from VolunteerAreaTotal and VolunteerAreaCount (kept
current by database triggers on the public list, VolunteerCard).

At z <= AGGREGATE_MAX_ZOOM (9) a tile holds one point per area (a point on the area's surface)
with `count`, the number of cards of the public list there that match the filters:
z <= 5 oblasts, z 6-7 districts, z 8-9 rural okrugs (or the level of the `area=` filter, if
finer). A card shown wider than the zoom's level (at district level, with no okrug) is counted
at the area it is shown at, where the list draws it: every card counts once at every zoom.
An unfiltered tile reads one total per area; a filtered one sums the area's cells (one per
combination of age shown, car, directions, languages, days and weekly hour slots) that match.

Filters the counts answer: area, direction, day, hours (hour_from, hour_to), car, language,
age. The core's geometric filters (near, within, bbox) are not in them: with any of those the
tile falls back to drawing the cards themselves, as the list shows them. The list is the same
for every viewer, so nobody is shown more than the counts.

Privacy: the counts are over the cards of the public list only (layers.volunteers.anonymity:
every shown age, gender and place there stands for at least TZ_PRIVACY_MIN_GROUP volunteers),
and an area whose count is below settings.TZ_PRIVACY_MIN_GROUP is left out of the tile, so no
tile shows a count of 1 to 4. A count (or a difference of nested counts) tells no more than
the list itself, which returns every matching card with its place for the same filters.
"""

from tiles.area_counts import LEVELS, answerable, area_count_tile, map_level

from .filters import VolunteerCardFilterSet, window_slots

AGGREGATE_MAX_ZOOM = 9
ANSWERED_FILTERS = {"area", "direction", "day", "hour_from", "hour_to", "car", "language",
                    "age"}


def filter_conditions(data: dict) -> tuple[list[str], list]:
    """SQL conditions on the cells (alias c) for the list's filters, with the same meaning as
    VolunteerCardFilterSet: any of the chosen directions, languages or days; with hours, any
    weekly slot of the window on the chosen days."""
    where, params = [], []
    if data.get("direction"):
        where.append("c.directions::text[] && %s::text[]")
        params.append(sorted(data["direction"]))
    if data.get("language"):
        where.append("c.languages::text[] && %s::text[]")
        params.append(sorted(data["language"]))
    hours = data.get("hour_from") is not None or data.get("hour_to") is not None
    if hours:  # available at one hour at least of the window, on one of the chosen days
        where.append("c.slots && %s::smallint[]")
        params.append(window_slots(data.get("day") or [], data.get("hour_from"),
                                   data.get("hour_to")))
    elif data.get("day"):
        where.append("c.days && %s::smallint[]")
        params.append(sorted({int(day) for day in data["day"]}))
    if data.get("car") is not None:
        where.append("c.has_car = %s")
        params.append(bool(data["car"]))
    if data.get("age"):
        where.append("c.age_shown = ANY(%s::text[])")
        params.append(sorted(data["age"]))
    return where, params


def aggregate_tile_query(request, zoom: int):
    """(sql, params, property names) for Layer.aggregate_tile_query, or None for the cards."""
    if not answerable(request, ANSWERED_FILTERS):
        return None
    data = {}
    if any(value != "" for name in ANSWERED_FILTERS - {"area"}
           for value in request.GET.getlist(name)):
        filterset = VolunteerCardFilterSet(request.GET)
        if not filterset.is_valid():
            return None  # the cards' path reports what is wrong, as the list does
        data = filterset.form.cleaned_data
    level, scope_sql, scope_params = map_level(request, zoom)
    where, params = filter_conditions(data)
    # Cells of this map level sit at areas of this level or wider (cards shown wider).
    levels = list(LEVELS[:LEVELS.index(level) + 1])
    # Without filters one total per area; with them the sum of the area's matching cells.
    # Each reads the unique index that leads with level and area and holds the count.
    table = "volunteers_volunteerareacount" if where else "volunteers_volunteerareatotal"
    conditions = "".join(f" AND {condition}" for condition in where)
    cell_sql = (f"SELECT sum(c.count)::integer AS n FROM {table} c "
                f"WHERE c.level = %s AND c.area_id = a.id{conditions}")
    return area_count_tile(levels, cell_sql, [level, *params], scope_sql, scope_params)
