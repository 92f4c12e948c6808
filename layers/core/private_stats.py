"""Per-area statistics of a private layer, with small groups suppressed consistently.

Counts and sums are computed over every row the caller may see, never over a filtered subset
(a filter, box or radius would let two requests be subtracted), and suppression runs top-down:
oblasts within the country, districts within each shown oblast, okrugs within each shown
district. A group hidden at one level has all its children hidden, so no level can be
subtracted from another to reveal a small group. `area=` then only selects which rows of the
finished table are returned.

The cells grouped are (oblast_id, district_id, okrug_id) with the count and sums of the rows
carrying those tags. A layer that maintains them (Layer.private_stat_cells) hands them over
for its public rows, so a million rows need not be grouped on every call; otherwise they are
one GROUP BY over the queryset. Either way the same suppression runs on them.
"""

from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from gis_portal.privacy.suppression import merged_row, split_small_groups

from .errors import BadQuery

LEVELS = ("oblast", "district", "okrug")


def private_stats(layer, queryset, level: str, area=None) -> list[dict]:
    """The suppressed table of `queryset` (every row the caller may see) at `level`, only the
    rows inside `area` if given. The layer's own cells are used when it has them for exactly
    these rows (Layer.private_stat_cells), else the rows are grouped."""
    depth = LEVELS.index(level)
    if area is not None and LEVELS.index(area.level) > depth:
        raise BadQuery(f"stats of layer {layer.slug} inside a {area.level} are given at "
                       f"level={area.level} or below", "level")
    cells = layer.private_stat_cells(queryset)
    if cells is None:
        cells = row_cells(layer, queryset)
    return suppressed_stats(layer, cells, level, area)


def row_cells(layer, queryset) -> list[dict]:
    """The cells of these rows: one GROUP BY over their area tags."""
    sums = {f"_sum_{name}": Sum(layer.sum_path(name)) for name in layer.stat_sums}
    tag_columns = [f"{name}_id" for name in LEVELS]
    return list(queryset.order_by().values(*tag_columns).annotate(_count=Count("pk"), **sums))


def suppressed_stats(layer, cells: list[dict], level: str, area=None) -> list[dict]:
    """The published table of these cells at `level` (inside `area`, if given)."""
    threshold = settings.TZ_PRIVACY_MIN_GROUP
    depth = LEVELS.index(level)
    # Each cell with its full chain of tag ids; a group at level `at` is the chain's first
    # at + 1 ids. Groups tied on count are merged in the order they come: fix it (ids are
    # positive, 0 stands for no tag), whichever path or plan of the GROUP BY made the cells.
    alive = sorted((((cell["oblast_id"], cell["district_id"], cell["okrug_id"]), cell)
                    for cell in cells),
                   key=lambda item: (item[0][0] or 0, item[0][1] or 0, item[0][2] or 0))
    for at in range(depth + 1):
        by_parent: dict[tuple, dict[tuple, dict]] = defaultdict(dict)
        for full_chain, cell in alive:
            chain = full_chain[:at + 1]
            groups = by_parent[chain[:-1]]
            group = groups.get(chain)
            if group is None:
                group = groups[chain] = {"chain": chain, "count": 0,
                                         **{n: 0 for n in layer.stat_sums}}
            group["count"] += cell["_count"]
            for name in layer.stat_sums:
                group[name] += cell[f"_sum_{name}"] or 0
        shown_rows, other_rows = [], []
        hidden_chains: set[tuple] = set()
        for parent, groups in by_parent.items():
            shown, hidden = split_small_groups(list(groups.values()), threshold)
            hidden_chains |= {g["chain"] for g in hidden}
            shown_rows += shown
            if hidden:
                other_rows.append((parent, merged_row(hidden, list(layer.stat_sums),
                                                      threshold)))
        # Cells under a group hidden here take no part in the levels below.
        alive = [(full_chain, cell) for full_chain, cell in alive
                 if full_chain[:at + 1] not in hidden_chains]
    return _present(layer, level, area, shown_rows, other_rows)


def _present(layer, level, area, shown_rows, other_rows) -> list[dict]:
    depth = LEVELS.index(level)
    ids = {i for g in shown_rows for i in g["chain"] if i} | {
        i for parent, _ in other_rows for i in parent if i}
    areas = _areas_by_id(ids)
    def inside(chain):
        if area is None:
            return True
        area_depth = LEVELS.index(area.level)
        return len(chain) > area_depth and chain[area_depth] == area.pk

    result = []
    for group in sorted(shown_rows, key=lambda g: _kato(areas, g["chain"][depth]) or ""):
        if not inside(group["chain"]):
            continue
        own = areas.get(group["chain"][depth])
        entry = {
            "kato": own.kato if own else None,
            "name": dict(own.names) if own else None,
            "approximate": bool(own.approximate) if own else False,
            "count": group["count"],
        }
        for name in layer.stat_sums:
            entry[name] = group[name]
        result.append(entry)
    suppressed_name = _suppressed_name()
    for parent, row in sorted(other_rows, key=lambda item: _kato(areas, item[0][-1]) or ""
                              if item[0] else ""):
        if area is not None and (not parent or not inside(parent)):
            continue  # the area's own row, if small, stays absent: absent and small look alike
        owner = areas.get(parent[-1]) if parent else None
        result.append({
            "kato": None,
            "name": dict(suppressed_name),
            "approximate": False,
            "parent": owner.kato if owner else None,
            **row,
        })
    return result


class _Area(NamedTuple):
    kato: str
    names: dict
    approximate: bool


def _areas_by_id(ids: set[int]) -> dict[int, _Area]:
    """Code, names and approximate flag of these areas (current or not: a cell keeps the
    tags its rows carry). One array parameter and plain tuples: the table may name thousands
    of okrugs, and their boundaries are megabytes nobody reads here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, kato, name_kk, name_ru, name_en, approximate "
                       "FROM areas_adminarea WHERE id = ANY(%s)", [sorted(ids)])
        return {pk: _Area(kato, {"kk": kk, "ru": ru, "en": en}, approximate)
                for pk, kato, kk, ru, en, approximate in cursor.fetchall()}


def _kato(areas, pk):
    area = areas.get(pk)
    return area.kato if area else None


def _suppressed_name() -> dict:
    names = {}
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            names[language] = _("small groups together (suppressed)")
    return names
