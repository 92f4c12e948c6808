"""Writing AdminArea rows: upsert by (generation, KATO), derived columns kept in step.

Several importers write the same table but own different columns (the KATO importer names
okrugs, the okrug deriver draws them), so a writer is told which fields it owns and compares
only those: re-running an importer with unchanged input touches nothing.
"""

from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db import connection
from shapely.geometry import MultiPolygon

from layers.areas.generations import retag_area_tagged_layers
from layers.areas.models import AdminArea, BoundaryGeneration

from ..geometry import GRID, from_geos, to_geos
from ..report import ImportReport

NAME_FIELDS = ("level", "name_kk", "name_ru", "name_en", "kind", "parent")
SHAPE_FIELDS = ("geom", "approximate", "geometry_note")
_BATCH = 200


@dataclass
class AreaRecord:
    kato: str
    level: str
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    kind: str = ""
    parent_kato: str | None = None
    geom: MultiPolygon | None = None
    approximate: bool = False
    geometry_note: str = ""


class AreaWriter:
    def __init__(self, generation: BoundaryGeneration, report: ImportReport):
        self.generation = generation
        self.report = report
        self.reshaped = 0  # areas created, or whose geometry or level changed

    def write(self, group: str, records: list[AreaRecord], fields: tuple[str, ...], *,
              create: bool = True) -> None:
        """Create missing rows (when allowed) and update the owned fields that differ."""
        existing = {
            area.kato: area
            for area in AdminArea.objects.filter(
                generation=self.generation, kato__in=[r.kato for r in records])
        }
        parent_ids = dict(
            AdminArea.objects.filter(
                generation=self.generation,
                kato__in={r.parent_kato for r in records if r.parent_kato},
            ).values_list("kato", "id")
        )
        new, changed, changed_fields, reshaped = [], [], set(), []
        for record in records:
            if "parent" in fields and record.parent_kato and record.parent_kato not in parent_ids:
                self.report.reject(group, record.kato,
                                   f"parent {record.parent_kato} is not loaded")
                continue
            values = self._values(record, fields, parent_ids)
            area = existing.get(record.kato)
            if area is None:
                if not create:
                    self.report.reject(group, record.kato, "no such area is loaded")
                    continue
                new.append(AdminArea(generation=self.generation, kato=record.kato,
                                     **self._orm_values(values)))
                continue
            differing = [name for name, value in values.items()
                         if not self._same(area, name, value)]
            if not differing:
                self.report.count(group, "unchanged")
                continue
            for name, value in self._orm_values({n: values[n] for n in differing}).items():
                setattr(area, name, value)
            changed.append(area)
            changed_fields.update(differing)
            if {"geom", "level"} & set(differing):
                reshaped.append(area.pk)

        AdminArea.objects.bulk_create(new, batch_size=_BATCH)
        if changed:
            orm_fields = sorted("parent_id" if f == "parent" else f for f in changed_fields)
            AdminArea.objects.bulk_update(changed, orm_fields, batch_size=_BATCH)
        self.report.count(group, "created", len(new))
        self.report.count(group, "updated", len(changed))
        self.refresh_derived([area.pk for area in new] + reshaped)
        self.reshaped += len(new) + len(reshaped)

    def retag_if_reshaped(self) -> None:
        """Area tags of every layer point at the current generation's areas: re-tag them when
        this writer added areas there or changed their shape."""
        if not self.reshaped:
            return
        self.generation.refresh_from_db(fields=["is_current"])
        if not self.generation.is_current:
            return
        touched = retag_area_tagged_layers()
        self.report.figures["rows re-tagged"] = ", ".join(
            f"{label} {rows}" for label, rows in touched.items()) or "none"

    def report_stale(self, group: str, level: str, source_katos: set[str]) -> None:
        """Rows of this generation and level the source no longer has: reported, left in place
        (other data may point at them; removing areas is a decision for a person)."""
        stale = sorted(
            set(AdminArea.objects.filter(generation=self.generation, level=level)
                .values_list("kato", flat=True)) - source_katos
        )
        if stale:
            shown = ", ".join(stale[:20]) + (" …" if len(stale) > 20 else "")
            self.report.note(f"{group}: {len(stale)} area(s) in the database are not in the "
                             f"source and were left in place: {shown}")

    def refresh_derived(self, area_ids: list[int]) -> None:
        """Area, overview geometry and lookup parts follow geom: recomputed for the given rows."""
        if not area_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE areas_adminarea SET
                  area_km2 = ST_Area(geom::geography) / 1e6,
                  geom_simplified = ST_Multi(ST_CollectionExtract(ST_ReducePrecision(
                      ST_MakeValid(ST_SimplifyPreserveTopology(geom, %s)), %s), 3))
                WHERE id = ANY(%s) AND geom IS NOT NULL
                """,
                [settings.AREA_SIMPLIFY_TOLERANCE, GRID, area_ids],
            )
            cursor.execute(
                "UPDATE areas_adminarea SET area_km2 = NULL, geom_simplified = NULL "
                "WHERE id = ANY(%s) AND geom IS NULL",
                [area_ids],
            )
            cursor.execute("DELETE FROM areas_adminareapart WHERE area_id = ANY(%s)", [area_ids])
            cursor.execute(
                """
                INSERT INTO areas_adminareapart (area_id, generation_id, level, geom)
                SELECT id, generation_id, level, part FROM (
                  SELECT id, generation_id, level,
                         (ST_Dump(ST_Subdivide(geom, %s))).geom AS part
                  FROM areas_adminarea WHERE id = ANY(%s) AND geom IS NOT NULL
                ) pieces
                WHERE ST_GeometryType(part) = 'ST_Polygon'
                """,
                [settings.AREA_SUBDIVIDE_MAX_VERTICES, area_ids],
            )
            # Fresh statistics let the planner use the indexes for the area lookups of tagging
            # that follow in the same transaction (10-20x faster than with stale ones).
            cursor.execute("ANALYZE areas_adminarea, areas_adminareapart")

    @staticmethod
    def _values(record: AreaRecord, fields, parent_ids) -> dict:
        values = {}
        for name in fields:
            if name == "parent":
                values[name] = parent_ids.get(record.parent_kato) if record.parent_kato else None
            else:
                values[name] = getattr(record, name)
        return values

    @staticmethod
    def _orm_values(values: dict) -> dict:
        converted = {}
        for name, value in values.items():
            if name == "parent":
                converted["parent_id"] = value
            elif name == "geom":
                converted["geom"] = to_geos(value)
            else:
                converted[name] = value
        return converted

    @staticmethod
    def _same(area: AdminArea, name: str, value) -> bool:
        if name == "parent":
            return area.parent_id == value
        if name == "geom":
            current = from_geos(area.geom)
            if current is None or value is None:
                return current is None and value is None
            return bool(shapely.equals_exact(current, value, tolerance=0))
        return getattr(area, name) == value
