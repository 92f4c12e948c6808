"""Oblast and district polygons of one boundary generation (geokz ADM1/ADM2 shapefiles).

2018: the file's own names, with the known typos fixed (no classifier of that time is at hand).
2024: the units and names of the current KATO classifier, English and polygons from the file;
KATO districts the file has no polygon for become rows without geometry and with a note.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from layers.areas.models import AdminArea, BoundaryGeneration

from .. import defects, manifest
from ..geometry import clean_multipolygon, read_lonlat
from ..kato import (
    KatoRow,
    district_kind,
    district_kind_from_code,
    is_city_district,
    oblast_kind,
    oblast_of,
    read_kato,
)
from .areas import NAME_FIELDS, SHAPE_FIELDS, AreaRecord, AreaWriter
from .base import Importer

logger = logging.getLogger(__name__)

ADM1_COLUMNS = ("KATO", "ADM1_EN", "ADM1_KK", "ADM1_RU")
ADM2_COLUMNS = ("KATO", "ADM2_EN", "ADM2_KK", "ADM2_RU")
# Overlaps of neighbouring areas below this are digitising noise, not worth a note.
OVERLAP_REPORTED_KM2 = 1.0


@dataclass(frozen=True)
class GenerationSpec:
    code: str
    label: str
    valid_from: date | None
    adm1: str  # manifest dataset names
    adm2: str
    # The 2024 set is the current administrative division: its units and names come from the
    # current KATO classifier. The 2018 set predates it, so its file names are kept.
    names_from_kato: bool
    kato_remap: dict[str, str] = field(default_factory=dict)
    missing_polygons: dict[str, defects.MissingPolygon] = field(default_factory=dict)
    # Made current when created and no other generation is current.
    current_when_new: bool = False


GENERATIONS = {
    "2018": GenerationSpec(
        code="2018",
        label="2018–2022: 14 oblasts and 3 cities, before the June 2022 reform",
        valid_from=date(2018, 6, 19),  # Shymkent became a city of republican significance
        adm1=manifest.ADM1_2018,
        adm2=manifest.ADM2_2018,
        names_from_kato=False,
    ),
    "2024": GenerationSpec(
        code="2024",
        label="2024: 17 oblasts and 3 cities, after the June 2022 reform",
        valid_from=date(2022, 6, 8),  # Abai, Zhetysu and Ulytau oblasts established
        adm1=manifest.ADM1_2024,
        adm2=manifest.ADM2_2024,
        names_from_kato=True,
        kato_remap=defects.KATO_REMAP_2024,
        missing_polygons=defects.MISSING_POLYGONS_2024,
        current_when_new=True,
    ),
}


def fix_name(value, report, where: str) -> str:
    text = (value or "").strip()
    fixed = defects.NAME_FIXES.get(text, text)
    if fixed != text:
        report.note(f"{where}: name {text!r} corrected to {fixed!r}")
    return fixed


class BoundaryImporter(Importer):
    name = "import_boundaries"

    def __init__(self, spec: GenerationSpec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.report.name = f"import_boundaries {spec.code}"

    def load(self) -> None:
        adm1 = read_lonlat(self.source(self.spec.adm1), required_columns=ADM1_COLUMNS)
        adm2 = read_lonlat(self.source(self.spec.adm2), required_columns=ADM2_COLUMNS)
        kato_rows = read_kato(self.source(manifest.KATO)) if self.spec.names_from_kato else []

        generation = self._generation()
        writer = AreaWriter(generation, self.report)
        oblasts = self._features(adm1, "oblast", "ADM1")
        districts = self._features(adm2, "district", "ADM2")
        if self.spec.names_from_kato:
            oblast_records, district_records = self._records_from_kato(kato_rows, oblasts,
                                                                       districts)
        else:
            oblast_records, district_records = self._records_from_file(oblasts, districts)

        fields = NAME_FIELDS + SHAPE_FIELDS
        writer.write(f"{self.spec.code} oblast", oblast_records, fields)
        writer.write(f"{self.spec.code} district", district_records, fields)
        writer.report_stale(f"{self.spec.code} oblast", "oblast",
                            {r.kato for r in oblast_records})
        writer.report_stale(f"{self.spec.code} district", "district",
                            {r.kato for r in district_records})
        self._report_overlaps(generation)
        writer.retag_if_reshaped()

    # --- generation ---------------------------------------------------------------------------
    def _generation(self) -> BoundaryGeneration:
        group = "generation"
        generation = BoundaryGeneration.objects.filter(code=self.spec.code).first()
        if generation is None:
            make_current = (self.spec.current_when_new
                            and not BoundaryGeneration.objects.filter(is_current=True).exists())
            generation = BoundaryGeneration.objects.create(
                code=self.spec.code, label=self.spec.label, valid_from=self.spec.valid_from,
                is_current=make_current,
            )
            self.report.count(group, "created")
            return generation
        # is_current is not compared: switching generations is an operator's decision
        # (areas_generation_activate), not something a re-import should undo.
        if (generation.label, generation.valid_from) != (self.spec.label, self.spec.valid_from):
            generation.label, generation.valid_from = self.spec.label, self.spec.valid_from
            generation.save(update_fields=["label", "valid_from"])
            self.report.count(group, "updated")
        else:
            self.report.count(group, "unchanged")
        return generation

    def _report_overlaps(self, generation: BoundaryGeneration) -> None:
        """Areas of one level should only touch. Overlaps in the source are reported, not
        fixed: they carry over into the okrugs drawn inside the districts."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT level, kato_a, kato_b, km2 FROM (
                  SELECT a.level, a.kato AS kato_a, b.kato AS kato_b,
                         ST_Area(ST_Intersection(a.geom, b.geom)::geography) / 1e6 AS km2
                  FROM areas_adminarea a
                  JOIN areas_adminarea b ON b.generation_id = a.generation_id
                   AND b.level = a.level AND a.kato < b.kato AND ST_Intersects(a.geom, b.geom)
                  WHERE a.generation_id = %s
                ) pairs
                WHERE km2 > %s ORDER BY km2 DESC
                """,
                [generation.pk, OVERLAP_REPORTED_KM2],
            )
            for level, kato_a, kato_b, km2 in cursor.fetchall():
                self.report.note(f"{self.spec.code} {level} {kato_a} and {kato_b} overlap by "
                                 f"{km2:.1f} km² in the source")

    # --- source features ----------------------------------------------------------------------
    def _features(self, frame, level: str, prefix: str) -> dict[str, dict]:
        """Cleaned features by (remapped) KATO; rows that cannot be used are rejected."""
        group = f"{self.spec.code} {level}"
        features = {}
        for row in frame.itertuples(index=False):
            source_kato = str(row.KATO or "").strip()
            if not (source_kato.isdigit() and len(source_kato) == 9):
                self.report.reject(group, source_kato or "?", "KATO code is not 9 digits")
                continue
            kato = self.spec.kato_remap.get(source_kato, source_kato)
            if kato != source_kato:
                self.report.note(f"{group} {source_kato}: KATO remapped to {kato} "
                                 "(known defect of the boundary file)")
            if kato in features:
                self.report.reject(group, kato, "KATO code appears twice in the file")
                continue
            geom, repair = clean_multipolygon(row.geometry)
            if geom is None:
                reason = "no polygonal geometry" + (f" after repair ({repair})" if repair else "")
                self.report.reject(group, kato, reason)
                continue
            if repair:
                self.report.note(f"{group} {kato}: invalid polygon ({repair}) repaired with "
                                 "make_valid, polygonal parts kept")
            kk = getattr(row, f"{prefix}_KK")
            ru = getattr(row, f"{prefix}_RU")
            if (kk, ru) in defects.SWAPPED_KK_RU:
                kk, ru = ru, kk
                self.report.note(f"{group} {kato}: Kazakh and Russian names were swapped")
            where = f"{group} {kato}"
            features[kato] = {
                "geom": geom,
                "name_en": fix_name(getattr(row, f"{prefix}_EN"), self.report, where),
                "name_kk": fix_name(kk, self.report, where),
                "name_ru": fix_name(ru, self.report, where),
            }
        return features

    # --- records ------------------------------------------------------------------------------
    def _records_from_file(self, oblasts, districts):
        oblast_records = [
            AreaRecord(kato=kato, level=AdminArea.Level.OBLAST, kind=oblast_kind(kato), **f)
            for kato, f in sorted(oblasts.items())
        ]
        district_records = []
        for kato, feature in sorted(districts.items()):
            if oblast_of(kato) not in oblasts:
                self.report.reject(f"{self.spec.code} district", kato,
                                   f"its oblast {oblast_of(kato)} is not in the ADM1 file")
                continue
            district_records.append(AreaRecord(
                kato=kato, level=AdminArea.Level.DISTRICT, kind=district_kind_from_code(kato),
                parent_kato=oblast_of(kato), **feature,
            ))
        return oblast_records, district_records

    def _records_from_kato(self, kato_rows: list[KatoRow], oblasts, districts):
        code = self.spec.code
        kato_oblasts = [r for r in kato_rows if r.level == "oblast"]
        kato_districts = [r for r in kato_rows if r.level == "district" or is_city_district(r)]

        oblast_records = []
        for row in kato_oblasts:
            feature = oblasts.get(row.kato)
            if feature is None:
                self.report.note(f"{code} oblast {row.kato} ({row.name_ru}) has no polygon")
            oblast_records.append(self._kato_record(
                row, AdminArea.Level.OBLAST, oblast_kind(row.kato), None, feature))
        known = {r.kato for r in kato_oblasts}
        for kato in sorted(set(oblasts) - known):
            self.report.reject(f"{code} oblast", kato, "polygon without a KATO row")

        district_records, without_polygon = [], []
        for row in kato_districts:
            feature = districts.get(row.kato)
            kind = "район" if is_city_district(row) else district_kind(row.name_ru)
            record = self._kato_record(row, AdminArea.Level.DISTRICT, kind,
                                       oblast_of(row.kato), feature)
            if feature is None:
                without_polygon.append(row.kato)
                record.geometry_note = self._missing_note(row.kato, districts)
                missing = self.spec.missing_polygons.get(row.kato)
                record.name_en = missing.name_en if missing else ""
            district_records.append(record)
        known = {r.kato for r in kato_districts}
        orphans = sorted(set(districts) - known)
        for kato in orphans:
            self.report.reject(f"{code} district", kato,
                               "polygon without a KATO row (after the known remaps)")
        self.report.figures[f"{code} KATO districts without polygon"] = (
            ", ".join(without_polygon) or "none")
        self.report.figures[f"{code} polygons without KATO row"] = ", ".join(orphans) or "none"
        return oblast_records, district_records

    def _kato_record(self, row: KatoRow, level, kind, parent_kato, feature) -> AreaRecord:
        return AreaRecord(
            kato=row.kato, level=level, kind=kind, parent_kato=parent_kato,
            name_kk=row.name_kk, name_ru=row.name_ru,
            name_en=feature["name_en"] if feature else "",
            geom=feature["geom"] if feature else None,
        )

    def _missing_note(self, kato: str, districts) -> str:
        missing = self.spec.missing_polygons.get(kato)
        if missing is None:
            logger.warning("district %s has no polygon and is not a known defect", kato)
            return "The boundary source has no polygon for this district; no shape is drawn."
        container = districts.get(missing.container_kato, {})
        return missing.note(container.get("name_en") or missing.container_kato)
