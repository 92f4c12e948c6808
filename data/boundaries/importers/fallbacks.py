"""Fallback points for the settlements no gazetteer places, and the positions report.

Every settlement gets a point that says where it comes from (Settlement.position_source) and
how far the settlement may be from it (position_precision_m). In order:

1. `okrug_centre`: the point of its okrug's centre village, when a gazetteer or staff placed
   that one. The centre is the settlement named like the okrug ("с.о.Елтоқ" → "с.Елтоқ"),
   else the one KATO numbers first in the okrug (code ending in 100, as the classifier
   numbers the administrative centre). Precision: the okrug's radius.
2. `district`: a point inside its okrug's approximate polygon (ST_PointOnSurface), else inside
   its district's polygon. Precision: that polygon's radius.

A district without a polygon of its own (four, see defects.MISSING_POLYGONS_2024) uses the
polygon that still covers it in the boundary source: its settlements fall inside that
polygon, as their okrugs do; the report counts them.

Positions from a gazetteer (osm, geonames) and staff corrections are never touched here.
"""

import math
import re
from collections import Counter, defaultdict

from django.db import connection

from layers.areas.generations import retag_area_tagged_layers
from layers.areas.models import AdminArea, Settlement
from layers.core.tagging import tag_rows

from ..kato import district_of, oblast_of, okrug_of
from ..names import normalise
from .base import Importer
from .districts import GENERATION, DistrictPolygons

Source = Settlement.PositionSource
PRECISE = (Source.OSM, Source.GEONAMES, Source.STAFF)
GAZETTEERS = (Source.OSM, Source.GEONAMES)
_OKRUG_MARKER = re.compile(r"(?<![^\W\d_])(?:с\.о|с\.а|п\.а|г\.а|р\.а|а\.о|к\.ә)\.?",
                           re.IGNORECASE)
_BATCH = 1000


def radius_m(area_km2: float | None) -> int | None:
    """The radius of a disc of that area, in whole metres (at least 1)."""
    if not area_km2:
        return None
    return max(1, round(math.sqrt(area_km2 / math.pi) * 1000))


def okrug_centres(okrug_names: dict[str, str], settlements: dict[str, str]) -> dict[str, str]:
    """okrug KATO → KATO of its centre village, from the okrugs' and settlements' Russian
    names: the settlement named like the okrug, else the okrug's …100 code."""
    by_okrug = defaultdict(dict)
    for kato, name in settlements.items():
        by_okrug[okrug_of(kato)][kato] = normalise(name)
    centres = {}
    for okrug, name in okrug_names.items():
        members = by_okrug.get(okrug, {})
        key = normalise(_OKRUG_MARKER.sub(" ", name))
        named = sorted(kato for kato, settlement_key in members.items()
                       if key and settlement_key == key)
        if named:
            centres[okrug] = named[0]
        elif okrug[:6] + "100" in members:
            centres[okrug] = okrug[:6] + "100"
    return centres


class SettlementPlacer(Importer):
    name = "place_settlements"

    def __init__(self, *, polygon_katos: set[str] | None = None,
                 settlement_import=None, okrug_deriver=None, **kwargs):
        """polygon_katos: revise only the settlements inside these district polygons.
        settlement_import: the pipeline's SettlementImporter, whose cross-check disagreements
        the positions report counts per oblast. okrug_deriver: the pipeline's OkrugDeriver
        (run with retag=False); when it reshaped okrugs, every area-tagged layer is re-tagged
        here, once, after the fallback points moved."""
        super().__init__(**kwargs)
        self.polygon_katos = polygon_katos
        self.settlement_import = settlement_import
        self.okrug_deriver = okrug_deriver
        self.changed_ids: list[int] = []

    def load(self) -> None:
        self.districts = DistrictPolygons.load()
        okrugs, districts = self._areas()
        rows = list(Settlement.objects.values_list(
            "id", "kato", "name_ru", "position_source", "geom", "position_precision_m"))
        names = {kato: name for _, kato, name, *_ in rows}
        centres = okrug_centres({k: o["name_ru"] for k, o in okrugs.items()}, names)
        precise = {kato: geom for _, kato, _, source, geom, _ in rows if source in PRECISE}

        changed, outside_own = [], 0
        self.task.start(len(rows))
        for pk, kato, _, source, geom, precision in rows:
            self.task.advance()
            if source in PRECISE:
                continue
            polygon_kato = self.districts.search_in.get(district_of(kato))
            if self.polygon_katos is not None and polygon_kato not in self.polygon_katos:
                continue
            new = self._fallback(kato, polygon_kato, okrugs, districts, centres, precise)
            if new is None:
                continue
            new_source, (x, y), new_precision = new
            if polygon_kato != district_of(kato):
                outside_own += 1
            if (source, geom.coords if geom else None, precision) == (new_source, (x, y),
                                                                       new_precision):
                self.report.count("settlement position", "unchanged")
                continue
            changed.append((pk, x, y, new_source, new_precision))
        _update_positions(changed)
        self.report.count("settlement position", "updated", len(changed))
        self.changed_ids = [pk for pk, *_ in changed]
        if (self.okrug_deriver is not None and self.okrug_deriver.reshaped
                and AdminArea.objects.filter(generation__code=GENERATION,
                                             generation__is_current=True).exists()):
            touched = retag_area_tagged_layers()
            self.report.figures["rows re-tagged"] = ", ".join(
                f"{label} {rows}" for label, rows in touched.items()) or "none"
        elif self.changed_ids:
            tag_rows(Settlement, pks=self.changed_ids)
        if outside_own:
            self.report.note(
                f"{outside_own} fallback point(s) of settlements in districts without a "
                "polygon of their own lie inside the polygon that still covers their district")
        if self.polygon_katos is None:
            self._report_positions()

    def _areas(self) -> tuple[dict, dict]:
        """Okrugs and district polygons of the current classifier: name, a point on the surface
        and the radius of those that have a polygon."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT a.kato, a.level, a.name_ru, ST_X(p.pt), ST_Y(p.pt), a.area_km2
                FROM areas_adminarea a
                JOIN areas_boundarygeneration g ON g.id = a.generation_id AND g.code = %s
                LEFT JOIN LATERAL (SELECT ST_PointOnSurface(a.geom) AS pt) p ON a.geom IS NOT NULL
                WHERE a.level IN (%s, %s)
                """,
                [GENERATION, AdminArea.Level.OKRUG, AdminArea.Level.DISTRICT],
            )
            okrugs, districts = {}, {}
            for kato, level, name_ru, x, y, area_km2 in cursor.fetchall():
                entry = {"name_ru": name_ru, "point": (x, y) if x is not None else None,
                         "radius_m": radius_m(area_km2)}
                (okrugs if level == AdminArea.Level.OKRUG else districts)[kato] = entry
        return okrugs, districts

    @staticmethod
    def _fallback(kato, polygon_kato, okrugs, districts, centres, precise):
        """(source, (x, y), precision) of the first fallback that applies, or None."""
        okrug = okrugs.get(okrug_of(kato)) if okrug_of(kato) != kato else None
        district = districts.get(polygon_kato) if polygon_kato else None
        centre = centres.get(okrug_of(kato)) if okrug else None
        if centre and centre != kato and centre in precise:
            radius = okrug["radius_m"] or (district or {}).get("radius_m")
            if radius:
                point = precise[centre]
                return Source.OKRUG_CENTRE, (point.x, point.y), radius
        if okrug and okrug["point"] is not None:
            return Source.DISTRICT, okrug["point"], okrug["radius_m"]
        if district and district["point"] is not None:
            return Source.DISTRICT, district["point"], district["radius_m"]
        return None

    def _report_positions(self) -> None:
        """Per oblast: settlements by position source, the gazetteer share, cross-check
        disagreements, okrugs still without a polygon."""
        by_oblast = defaultdict(Counter)
        for kato, source in Settlement.objects.values_list("kato", "position_source"):
            by_oblast[oblast_of(kato)][source or "none"] += 1
        okrugs_without = Counter(
            oblast_of(kato) for kato in AdminArea.objects.filter(
                generation__code=GENERATION, level=AdminArea.Level.OKRUG, geom__isnull=True,
            ).values_list("kato", flat=True))
        disagreements = Counter(oblast_of(kato) for kato in self.cross_check_katos())
        names = dict(AdminArea.objects.filter(generation__code=GENERATION,
                                              level=AdminArea.Level.OBLAST)
                     .values_list("kato", "name_en"))
        order = [s.value for s in Source] + ["none"]
        total = Counter()
        for oblast in sorted(by_oblast):
            counts = by_oblast[oblast]
            total.update(counts)
            self.report.figures[f"positions {oblast[:2]} {names.get(oblast, '')}".rstrip()] = (
                self._line(counts, order) + f"; cross-check disagreements "
                f"{disagreements[oblast]}; okrugs without polygon {okrugs_without[oblast]}")
        self.report.figures["positions, all of Kazakhstan"] = (
            self._line(total, order) + f"; cross-check disagreements "
            f"{sum(disagreements.values())}; okrugs without polygon "
            f"{sum(okrugs_without.values())}")
        outside = settlements_outside_their_district()
        self.report.figures["settlements outside their district polygon"] = outside

    @staticmethod
    def _line(counts: Counter, order: list[str]) -> str:
        total = sum(counts.values())
        gazetteer = sum(counts[s] for s in GAZETTEERS)
        parts = ", ".join(f"{s} {counts[s]}" for s in order if counts[s])
        return f"{total}: {parts}; from a gazetteer {gazetteer / total:.1%}"

    def cross_check_katos(self) -> list[str]:
        disagreements = getattr(self.settlement_import, "cross_check_disagreements", [])
        return [kato for kato, _, _ in disagreements]


def _update_positions(changed: list[tuple]) -> None:
    """One UPDATE per batch from a VALUES list (bulk_update's CASE per row is slow here)."""
    with connection.cursor() as cursor:
        for start in range(0, len(changed), _BATCH):
            batch = changed[start:start + _BATCH]
            cursor.execute(
                f"""
                UPDATE areas_settlement s SET
                  geom = ST_SetSRID(ST_MakePoint(v.x, v.y), 4326),
                  position_source = v.source, position_precision_m = v.precision
                FROM (VALUES {", ".join(["(%s, %s::float8, %s::float8, %s, %s::int)"] * len(batch))})
                  AS v(id, x, y, source, precision)
                WHERE s.id = v.id
                """,
                [value for row in batch for value in row],
            )


def settlements_outside_their_district() -> int:
    """Settlements whose point lies outside the polygon of their KATO district (or, for a
    district without polygon, of the one that covers it)."""
    search_in = DistrictPolygons.load().search_in
    # district KATO → polygon KATO, as SQL VALUES
    pairs = list(search_in.items())
    if not pairs:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH map(district, polygon) AS (VALUES {", ".join(["(%s, %s)"] * len(pairs))})
            SELECT count(*) FROM areas_settlement s
            JOIN map m ON m.district = CASE WHEN left(s.kato, 2) IN ('71', '75', '79')
                                            THEN left(s.kato, 6) || '000'
                                            ELSE left(s.kato, 4) || '00000' END
            JOIN areas_adminarea d ON d.kato = m.polygon AND d.level = 'district'
            JOIN areas_boundarygeneration g ON g.id = d.generation_id AND g.code = %s
            WHERE s.geom IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM areas_adminareapart p
                WHERE p.area_id = d.id AND ST_Intersects(p.geom, s.geom))
            """,
            [value for pair in pairs for value in pair] + [GENERATION],
        )
        return cursor.fetchone()[0]
