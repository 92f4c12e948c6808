"""Approximate rural okrug polygons, derived from their geocoded settlements.

No public okrug boundaries exist. Per district polygon, every settlement placed by a gazetteer
or by staff gets its Voronoi cell (fallback points, which are drawn from the okrugs, do not seed
them) (the land nearer to it than to any other settlement of the district), cells are
clipped to the district and unioned per okrug (a settlement's okrug is KATO kato[:6]+'000').

- The 39 okrug-level units without settlement rows are cities administered as one unit
  ("г.Семей"), loaded as settlements under their own code: the city's own point seeds its
  cell, so a city's land is not handed to the rural okrugs around it.
- Cells of settlements that belong to no okrug (towns under the district itself) stay
  unassigned.
- A district with a single okrug and no such towns gives it the whole district.
- An okrug with no geocoded point gets no polygon.

Every okrug is flagged approximate (whatever boundary it has is derived) and its note says how
the polygon was drawn, or why there is none.
"""

import logging
from collections import Counter, defaultdict

import shapely
from shapely.geometry import MultiPoint

from layers.areas.models import AdminArea, BoundaryGeneration, Settlement

from ..errors import PrerequisiteMissing
from ..geometry import clean_multipolygon
from ..kato import district_of, okrug_of
from .areas import SHAPE_FIELDS, AreaRecord, AreaWriter
from .base import Importer
from .districts import GENERATION, DistrictPolygons

logger = logging.getLogger(__name__)

GROUP = f"{GENERATION} okrug polygon"
NOTE_NONE = "No settlement of this okrug could be geocoded, so no approximate boundary is drawn."
NOTE_TAIL = "no official okrug boundary exists."


# Points that say where a settlement is; fallback points only say which okrug it is in.
SEED_SOURCES = (Settlement.PositionSource.OSM, Settlement.PositionSource.GEONAMES,
                Settlement.PositionSource.STAFF)


class OkrugDeriver(Importer):
    name = "derive_okrugs"

    def __init__(self, *, polygon_katos: set[str] | None = None, retag: bool = True,
                 **kwargs):
        """polygon_katos: redraw only the okrugs inside these district polygons (a staff
        correction moves one settlement). retag=False, or a restricted redraw, leaves
        re-tagging to the caller (the pipeline re-tags once after the fallback points)."""
        super().__init__(**kwargs)
        self.polygon_katos = polygon_katos
        self.retag = retag and polygon_katos is None
        self.reshaped = 0  # okrug polygons whose shape changed

    def load(self) -> None:
        generation = BoundaryGeneration.objects.filter(code=GENERATION).first()
        okrugs = set(AdminArea.objects.filter(generation=generation, level=AdminArea.Level.OKRUG)
                     .values_list("kato", flat=True))
        if not okrugs:
            raise PrerequisiteMissing(
                f"the {GENERATION} okrugs are not loaded: run import_kato first")
        self.districts = DistrictPolygons.load()

        records = {kato: AreaRecord(kato=kato, level=AdminArea.Level.OKRUG, approximate=True,
                                    geometry_note=NOTE_NONE) for kato in sorted(okrugs)}
        okrugs_in = defaultdict(list)  # search polygon KATO → okrug KATOs
        for kato in records:
            polygon_kato = self.districts.search_in.get(district_of(kato))
            if polygon_kato is not None:
                okrugs_in[polygon_kato].append(kato)
        if self.polygon_katos is not None:
            okrugs_in = {k: v for k, v in okrugs_in.items() if k in self.polygon_katos}
            records = {kato: records[kato] for members in okrugs_in.values()
                       for kato in members}

        seeds, cities = self._seeds(okrugs)
        for polygon_kato, members in okrugs_in.items():
            self._draw(polygon_kato, members, seeds.get(polygon_kato, {}), cities, records)

        writer = AreaWriter(generation, self.report)
        writer.write(GROUP, list(records.values()), SHAPE_FIELDS, create=False)
        drawn = sum(1 for r in records.values() if r.geom is not None)
        self.report.figures["okrugs with a derived polygon"] = f"{drawn} / {len(records)}"
        self.report.figures["okrugs without polygon (no geocoded settlement)"] = (
            len(records) - drawn)
        self.reshaped = writer.reshaped
        if self.retag:
            writer.retag_if_reshaped()

    def _seeds(self, okrugs: set[str]) -> tuple[dict, set]:
        """Voronoi seeds per search polygon, {(x, y): okrug KATO or None}, and the okrugs that
        are a city seeded by its own point."""
        seeds = defaultdict(dict)
        cities = set()
        for kato, geom in (Settlement.objects
                           .filter(geom__isnull=False, position_source__in=SEED_SOURCES)
                           .order_by("kato").values_list("kato", "geom")):
            polygon_kato = self.districts.search_in.get(district_of(kato))
            if polygon_kato is None:
                continue
            # A city administered as one okrug-level unit is a settlement under its own code,
            # and okrug_of() of that code is the code itself.
            okrug = okrug_of(kato) if okrug_of(kato) in okrugs else None
            if okrug == kato:
                cities.add(kato)
            # Points on one coordinate share a cell: the lower KATO code keeps it.
            seeds[polygon_kato].setdefault((geom.x, geom.y), okrug)
        return seeds, cities

    def _draw(self, polygon_kato, members, points, cities, records) -> None:
        district = self.districts.polygons[polygon_kato]
        # Settlements directly under the district (towns) keep their own cells out of the
        # okrug, so the whole-district shortcut is only taken when there are none.
        if len(members) == 1 and None not in points.values():
            record = records[members[0]]
            record.geom, _ = clean_multipolygon(district)
            record.geometry_note = (f"Approximate: the whole {self._where(record.kato)}, "
                                    f"which has this single okrug; {NOTE_TAIL}")
            return
        if not any(okrug is not None for okrug in points.values()):
            return
        if len(points) == 1:
            cells = [district]
        else:
            cells = shapely.voronoi_polygons(MultiPoint(list(points)), extend_to=district,
                                             ordered=True).geoms
        by_okrug = defaultdict(list)
        for cell, okrug in zip(cells, points.values(), strict=True):
            if okrug is not None:
                by_okrug[okrug].append(cell)
        counts = Counter(points.values())
        for okrug, okrug_cells in by_okrug.items():
            record = records[okrug]
            shape = shapely.intersection(shapely.union_all(okrug_cells), district)
            record.geom, _ = clean_multipolygon(shape)
            if record.geom is None:
                logger.warning("okrug %s: its cells vanished when clipped", okrug)
                continue
            if okrug in cities:
                drawn = ("the Voronoi cell of the city's OpenStreetMap point among the "
                         "district's geocoded settlements")
            else:
                drawn = f"Voronoi cells of {counts[okrug]} geocoded settlement(s)"
            record.geometry_note = (f"Approximate: {drawn}, clipped to the "
                                    f"{self._where(okrug)}; {NOTE_TAIL}")

    def _where(self, okrug: str) -> str:
        district = district_of(okrug)
        polygon_kato = self.districts.search_in[district]
        if district == polygon_kato:
            return "district"
        return (f"polygon of {self.districts.names[polygon_kato]} ({polygon_kato}), which in "
                "the boundary source still covers this okrug's district")
