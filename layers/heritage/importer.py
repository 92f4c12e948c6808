"""Import a register of monuments or natural sites: CSV, XLSX or GeoJSON.

One row, one record. `import_register(path, kind=None, commit=False)` reads every row, checks
it, writes it (inside one transaction, rolled back on a dry run so the report is exactly what a
commit would do) and returns a row-by-row report. A reload updates the records it created
before (matched by register number, else by the dataset's row key) instead of duplicating them.

Rules:
- a row needs a name, a known category (and a known significance, era, protection status and
  condition where given) and a position: coordinates or a geometry, or a text address whose
  settlement the portal knows: such a row is placed at the settlement and flagged approximate;
- a row with no position and no settlement, an unknown category or a register number already
  used by another row of the file or another record is refused and reported, never half-written.

UNESCO membership comes from heritage/kz_unesco_whs_crosswalk.csv in settings.TZ_DATA_DIR: a
protected area the crosswalk names belongs to its property, and so does every natural site
inside it (ST_Covers).
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import connection, transaction
from django.db.models import Q

from layers.areas.models import Settlement
from layers.core import importing
from layers.core.importing import CREATE, REFUSED, SKIPPED, UPDATE, RowReport

from .models import Dataset, Monument, NaturalSite, Significance

MONUMENTS, NATURE = "monuments", "nature"
KINDS = (MONUMENTS, NATURE)

# Values of a `kind` column that name the record type (the shared sights file mixes both).
RECORD_TYPES = {"monument": MONUMENTS, "monuments": MONUMENTS, "natural": NATURE,
                "nature": NATURE, "natural_site": NATURE}

MONUMENT_CATEGORIES = {
    "archaeology": Monument.Kind.ARCHAEOLOGY, "archaeological": Monument.Kind.ARCHAEOLOGY,
    "architecture": Monument.Kind.ARCHITECTURE, "urban": Monument.Kind.ARCHITECTURE,
    "urban_planning": Monument.Kind.ARCHITECTURE,
    "monumental_art": Monument.Kind.MONUMENTAL_ART, "memorial": Monument.Kind.MEMORIAL,
    "history": Monument.Kind.MEMORIAL,
}
# The State list's own Russian and Kazakh wording ("Памятник археологии", …), by word stem.
MONUMENT_CATEGORY_STEMS = (
    ("археолог", Monument.Kind.ARCHAEOLOGY), ("градостро", Monument.Kind.ARCHITECTURE),
    ("архитект", Monument.Kind.ARCHITECTURE), ("сәулет", Monument.Kind.ARCHITECTURE),
    ("монументальн", Monument.Kind.MONUMENTAL_ART), ("мемориал", Monument.Kind.MEMORIAL),
    ("истори", Monument.Kind.MEMORIAL), ("тарих", Monument.Kind.MEMORIAL),
)
NATURE_CATEGORIES = {
    "recreational": NaturalSite.Kind.RECREATIONAL, "landscape": NaturalSite.Kind.LANDSCAPE,
    "natural_monument": NaturalSite.Kind.NATURAL_MONUMENT,
    "dune": NaturalSite.Kind.NATURAL_MONUMENT, "rock": NaturalSite.Kind.NATURAL_MONUMENT,
    "national_park": NaturalSite.Kind.NATIONAL_PARK, "reserve": NaturalSite.Kind.RESERVE,
    "nature_reserve": NaturalSite.Kind.RESERVE, "lake": NaturalSite.Kind.LAKE,
    "alkaline lake": NaturalSite.Kind.LAKE, "reservoir": NaturalSite.Kind.LAKE,
    "canyon": NaturalSite.Kind.CANYON, "peak": NaturalSite.Kind.PEAK,
    "mountain": NaturalSite.Kind.PEAK,
    # Natural Earth's physical regions.
    "range/mtn": NaturalSite.Kind.LANDSCAPE, "plateau": NaturalSite.Kind.LANDSCAPE,
    "desert": NaturalSite.Kind.LANDSCAPE, "lowland": NaturalSite.Kind.LANDSCAPE,
    "plain": NaturalSite.Kind.LANDSCAPE,
}


@dataclass(frozen=True)
class DatasetInfo:
    code: str
    title: str
    licence: str
    attribution: str
    url: str = ""
    note: str = ""
    approximate: bool = True  # positions of the dataset unless a row says otherwise
    significance: str = Significance.LOCAL  # when a row does not say


NATURAL_EARTH = dict(licence="public domain", attribution="Made with Natural Earth",
                     url="https://www.naturalearthdata.com/")
# The shared reference files (data/README.md), by file name without extension.
KNOWN_DATASETS = {
    "kz_notable_sites": DatasetInfo(
        "kz_notable_sites", "Notable sights of Kazakhstan",
        "compiled for the portal from public facts",
        "Tugan Zher portal, compiled from general knowledge",
        note="Positions are approximate (±5 km): not for a plaque."),
    "kz_protected_areas_osm": DatasetInfo(
        "kz_protected_areas_osm", "National parks and nature reserves (outlines)", "ODbL 1.0",
        "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)",
        url="https://www.openstreetmap.org/copyright",
        note="OSM outlines simplified to ~100 m: approximate, not legal boundaries.",
        significance=Significance.REPUBLICAN),
    "kz_lakes_naturalearth": DatasetInfo(
        "kz_lakes_naturalearth", "Lakes (Natural Earth)", **NATURAL_EARTH,
        note="Generalised outlines.", approximate=False),
    "kz_physical_regions_naturalearth": DatasetInfo(
        "kz_physical_regions_naturalearth", "Physical regions (Natural Earth)", **NATURAL_EARTH,
        note="Regions have no exact edge: their outlines are approximate."),
    "kz_peaks_naturalearth": DatasetInfo(
        "kz_peaks_naturalearth", "Peaks (Natural Earth)", **NATURAL_EARTH, approximate=False),
}

# UNESCO's English name of a property where the shared sights spell it differently.
UNESCO_NAME_ALIASES = {"petroglyphs of tamgaly": 1145}


# A park given as a point is the same park as an outline of that name this close (degrees; the
# shared sights are ±5 km off and some outlines are incomplete).
OUTLINE_MATCH_DEG = 0.5


class RowError(Exception):
    """A row that cannot be imported; the message says what to fix."""


class RegisterFileError(importing.FileRejected, ValueError):
    """The register file itself cannot be read (a ValueError, as the command expects)."""


@dataclass
class ImportReport(importing.ImportReport):
    """A register's report: each row is written on its own (a refused row leaves the others
    in), so the counts are rows; `key` is the record's name."""

    path: str = ""

    def summary(self) -> str:
        verb = "written" if self.committed else "dry run, nothing written"
        return (f"{self.path}: {self.count(CREATE)} created, {self.count(UPDATE)} "
                f"updated, {self.count(SKIPPED)} skipped, {self.count(REFUSED)} refused "
                f"({verb})")


# --- reading -----------------------------------------------------------------------------------
# Registers are read by the operators from disk and may hold the whole State list: larger than
# an upload. Their columns are open-ended (name_en, lat, featurecla, …): the folded headers are
# the keys.
READER = importing.TableReader(None, error=RegisterFileError, max_rows=500_000,
                               max_bytes=500 * 1024 * 1024)


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line or feature number, row) pairs; GeoJSON rows carry their geometry in `_geometry`."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        return READER.read_path(path)
    if suffix in (".geojson", ".json"):
        collection = json.loads(path.read_text(encoding="utf-8"))
        rows = []
        for number, feature in enumerate(collection.get("features", []), start=1):
            row = {str(key).strip().lower(): (value.strip() if isinstance(value, str) else value)
                   for key, value in (feature.get("properties") or {}).items()}
            row["_geometry"] = feature.get("geometry")
            rows.append((number, row))
        return rows
    raise RegisterFileError(f"{path.name}: a register must be CSV, XLSX or GeoJSON")


def _text(row: dict, *names: str) -> str:
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _number(row: dict, *names: str) -> float | None:
    text = _text(row, *names).replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise RowError(f"{names[0]} {text!r} is not a number") from None


def _row_key(row: dict, names: dict) -> str:
    """A stable key for a row with no id or register number: its name and where it is (two
    lakes of one name are two rows; a reordered file keeps its keys)."""
    where = _text(row, "settlement_kato", "settlement", "address")
    geometry = row.get("_geometry")
    try:
        if geometry:
            point = GEOSGeometry(json.dumps(geometry), srid=4326).point_on_surface
            where = f"{point.x:.2f},{point.y:.2f}"
        elif _text(row, "lat") and _text(row, "lon"):
            where = f"{_number(row, 'lon'):.2f},{_number(row, 'lat'):.2f}"
    except (ValueError, TypeError, RowError):
        pass
    return f"{names['name_ru']}@{where}"


# --- UNESCO crosswalk -------------------------------------------------------------------------
@dataclass(frozen=True)
class Crosswalk:
    by_name: dict[str, int]
    by_protected_area: dict[str, int]


def load_crosswalk(data_dir: Path | None = None) -> Crosswalk:
    path = Path(data_dir or settings.TZ_DATA_DIR) / "heritage" / "kz_unesco_whs_crosswalk.csv"
    by_name, by_area = dict(UNESCO_NAME_ALIASES), {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            whc_id = int(row["whc_id"])
            by_name[row["name_en"].strip().lower()] = whc_id
            for key in filter(None, (row.get("kz_polygons_in_kz_protected_areas_osm") or "")
                              .split(";")):
                by_area[key.strip()] = whc_id
    return Crosswalk(by_name, by_area)


def _protected_area_key(key: str) -> str:
    """The crosswalk names `korgalzhyn`, the outlines `korgalzhyn` or `korgalzhyn_reserve`."""
    return key.removesuffix("_reserve").removesuffix("_np")


# --- one row ----------------------------------------------------------------------------------
class RegisterImporter:
    def __init__(self, path: Path, kind: str | None = None, dataset: DatasetInfo | None = None):
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        self.path = Path(path)
        self.kind = kind
        self.info = dataset or KNOWN_DATASETS.get(self.path.stem) or DatasetInfo(
            self.path.stem[:64], self.path.stem, "not stated", "")
        self.crosswalk = load_crosswalk()
        self.seen_register_numbers: dict[str, int] = {}
        self.dataset: Dataset | None = None

    def run(self, commit: bool = False) -> ImportReport:
        report = ImportReport(path=str(self.path), committed=commit)
        rows = read_rows(self.path)
        with transaction.atomic():
            self.dataset, _ = Dataset.objects.update_or_create(
                code=self.info.code,
                defaults={"title": self.info.title, "licence": self.info.licence,
                          "attribution": self.info.attribution, "url": self.info.url,
                          "note": self.info.note})
            for number, row in rows:
                report.rows.append(self.import_row(number, row))
            link_unesco_by_containment()
            if not commit:
                transaction.set_rollback(True)
        report.count_rows()
        return report

    def import_row(self, number: int, row: dict) -> RowReport:
        name = _text(row, "name_en", "name", "name_ru", "name_kk")
        try:
            with transaction.atomic():
                record_type = self.record_type(row)
                if record_type is None:
                    return RowReport(number, name, SKIPPED,
                                     f"a {_text(row, 'kind')} row: not imported with "
                                     f"--kind {self.kind}")
                model = Monument if record_type == MONUMENTS else NaturalSite
                record, created = self.build(model, row)
                outline = self.outline_standing_for(record) if created else None
                if outline is not None:
                    return RowReport(number, name, SKIPPED,
                                     f"the outline {outline.name_en or outline.name_ru} "
                                     f"({outline.dataset}) already stands for it")
                record.save()
            if record.register_number:
                self.seen_register_numbers[record.register_number] = number
            return RowReport(number, record.name_en or record.name_ru,
                             CREATE if created else UPDATE,
                             record.position_note if
                             record.position_approximate and record.settlement_id else "")
        except RowError as error:
            return RowReport(number, name, REFUSED, str(error))

    def outline_standing_for(self, record) -> "NaturalSite | None":
        """A park or reserve given as a point, when another register already has its outline
        (same kind, same first word of the name, within OUTLINE_MATCH_KM): one park, not two
        on the map, and not a park listed as a sight inside itself."""
        if not isinstance(record, NaturalSite) or not record.is_protected_area or \
                record.geom.geom_type != "Point":
            return None
        word = (record.name_en or record.name_ru).split(" ")[0].strip("«»\"").lower()
        candidates = (NaturalSite.objects.filter(kind=record.kind,
                                                 geom__dwithin=(record.geom, OUTLINE_MATCH_DEG))
                      .exclude(dataset=self.dataset))
        for candidate in candidates:
            names = (candidate.name_en or candidate.name_ru).lower()
            if candidate.is_outline and names.split(" ")[0].strip("«»\"") == word:
                return candidate
        return None

    def record_type(self, row: dict) -> str | None:
        declared = RECORD_TYPES.get(_text(row, "kind").lower())
        if self.kind is None:
            return declared or MONUMENTS
        if declared is not None and declared != self.kind:
            return None
        return self.kind

    def build(self, model, row: dict):
        names = self.names(row)
        register_number = _text(row, "register_number", "register_no", "reg_number")
        key = (_text(row, "id", "slug", "key", "source_id") or register_number
               or _row_key(row, names))
        source_key = f"{self.info.code}:{key}"[:120]
        record = None
        if register_number:
            if register_number in self.seen_register_numbers:
                raise RowError(f"register number {register_number} is already used by row "
                               f"{self.seen_register_numbers[register_number]} of this file")
            record = model.objects.filter(register_number=register_number).first()
            if record is not None and record.source_key not in ("", source_key):
                raise RowError(f"register number {register_number} is already used by "
                               f"{record} (another register)")
        record = record or model.objects.filter(source_key=source_key).first()
        created = record is None
        record = record or model(source_key=source_key)
        record.source_key = source_key
        record.register_number = register_number
        record.dataset = self.dataset
        for attribute, value in names.items():
            setattr(record, attribute, value)
        for prefix in ("description", "visiting"):
            for language in ("kk", "ru", "en"):
                setattr(record, f"{prefix}_{language}", _text(row, f"{prefix}_{language}"))
        record.significance = self.significance(row)
        if model is Monument:
            record.kind = self.category(row, MONUMENT_CATEGORIES, MONUMENT_CATEGORY_STEMS)
            record.era = self.choice(row, "era", Monument.Era, record.era)
            record.protection_status = self.choice(row, "protection_status",
                                                   Monument.Protection,
                                                   record.protection_status)
            record.condition = self.choice(row, "condition", Monument.Condition,
                                           record.condition)
            if register_number and record.protection_status == Monument.Protection.NOT_LISTED:
                record.protection_status = (
                    Monument.Protection.LOCAL_LIST if record.significance == Significance.LOCAL
                    else Monument.Protection.REPUBLICAN_LIST)
        else:
            record.kind = self.category(row, NATURE_CATEGORIES, ())
            record.elevation_m = _number(row, "elevation_m", "elevation")
            area_km2 = _number(row, "area_km2")
            area_ha = _number(row, "area_ha", "area_ha_computed")
            record.area_km2 = area_km2 if area_km2 is not None else (
                area_ha / 100 if area_ha is not None else None)
            record.protected_area_key = _text(row, "protected_area_key") or (
                _text(row, "id") if record.kind in NaturalSite.PROTECTED_AREA_KINDS else "")
        record.unesco_whc_id = self.unesco(row, record)
        if record.unesco_whc_id and model is NaturalSite:
            record.significance = Significance.UNESCO
        self.place(model, record, row)
        return record, created

    # --- fields -------------------------------------------------------------------------------
    def names(self, row: dict) -> dict:
        en = _text(row, "name_en", "name")
        ru = _text(row, "name_ru")
        kk = _text(row, "name_kk")
        if not (en or ru or kk):
            raise RowError("the row has no name")
        # A dataset with one name (Natural Earth: English) shows it in every language.
        return {"name_kk": kk or ru or en, "name_ru": ru or kk or en, "name_en": en}

    def category(self, row: dict, mapping: dict, stems) -> str:
        raw = _text(row, "category", "featurecla")
        if not raw and _text(row, "kind").lower() not in RECORD_TYPES:
            raw = _text(row, "kind")
        value = raw.lower().replace(" and ", "_").replace("-", "_")
        if value in mapping:
            return mapping[value]
        if raw.lower() in mapping:
            return mapping[raw.lower()]
        for stem, kind in stems:
            if stem in raw.lower():
                return kind
        known = ", ".join(sorted({str(v) for v in mapping.values()}))
        raise RowError(f"unknown category {raw!r}: use one of {known}" if raw else
                       f"the row has no category: use one of {known}")

    def significance(self, row: dict) -> str:
        raw = _text(row, "significance").lower()
        if not raw:
            return self.info.significance
        if raw not in Significance.values:
            raise RowError(f"unknown significance {raw!r}: use unesco, republican or local")
        return raw

    @staticmethod
    def choice(row: dict, column: str, choices, current: str) -> str:
        raw = _text(row, column).lower()
        if not raw:
            return current
        if raw not in choices.values:
            raise RowError(f"unknown {column.replace('_', ' ')} {raw!r}: use one of "
                           f"{', '.join(choices.values)}")
        return raw

    def unesco(self, row: dict, record) -> int | None:
        explicit = _number(row, "whc_id", "unesco_whc_id")
        if explicit:
            return int(explicit)
        for name in (record.name_en, _text(row, "name")):
            if name and name.lower() in self.crosswalk.by_name:
                return self.crosswalk.by_name[name.lower()]
        key = getattr(record, "protected_area_key", "")
        if key:
            return (self.crosswalk.by_protected_area.get(key)
                    or self.crosswalk.by_protected_area.get(_protected_area_key(key)))
        return None

    def place(self, model, record, row: dict) -> None:
        """Coordinates or a geometry; else the settlement of a text address (approximate)."""
        record.position_note = _text(row, "geometry_note", "position_note")[:300]
        position = _text(row, "position", "precision").lower()
        geometry = row.get("_geometry")
        lat, lon = _number(row, "lat", "latitude", "y"), _number(row, "lon", "longitude", "x")
        settlement = self.settlement(row)
        record.settlement = settlement
        if geometry:
            geom = GEOSGeometry(json.dumps(geometry), srid=4326)
        elif lat is not None and lon is not None:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise RowError(f"lat {lat}, lon {lon} is not a position on Earth")
            geom = Point(lon, lat, srid=4326)
        elif settlement is not None:
            if settlement.geom is None:
                raise RowError(f"settlement {settlement} has no known position yet")
            record.geom = Point(settlement.geom.x, settlement.geom.y, srid=4326)
            record.position_approximate = True
            record.position_note = (f"Placed at the settlement {settlement.name_ru} "
                                    f"({settlement.kato}) by its address")
            return
        else:
            address = _text(row, "address")
            raise RowError("no position and no settlement: give lat and lon, or a settlement "
                           "(KATO code or name) for the address"
                           + (f" {address!r}" if address else ""))
        if model is Monument and geom.geom_type != "Point":
            geom = geom.point_on_surface
            geom.srid = 4326
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            if not geom.valid:
                geom = geom.make_valid()
            if geom.geom_type == "GeometryCollection":
                geom = MultiPolygon([g for g in geom if g.geom_type == "Polygon"], srid=4326)
            if geom.geom_type == "Polygon":
                geom = MultiPolygon(geom, srid=4326)
        record.geom = geom
        record.position_approximate = (position != "exact") if position else self.info.approximate
        if "approximate" in record.position_note.lower():
            record.position_approximate = True

    def settlement(self, row: dict) -> Settlement | None:
        """The settlement a row names: its KATO code, or its name (inside the district or
        oblast the row names, when it does). None when the row names none."""
        kato = _text(row, "settlement_kato", "kato")
        name = _text(row, "settlement", "settlement_name", "locality")
        if kato:
            found = Settlement.objects.filter(kato=kato).first()
            if found is None:
                raise RowError(f"no settlement with KATO code {kato}")
            return found
        if not name:
            return None
        candidates = Settlement.objects.filter(Q(name_ru__iexact=name) | Q(name_kk__iexact=name)
                                               | Q(name_en__iexact=name))
        within = _text(row, "district_kato", "oblast_kato")
        if within:
            prefix = within[:4] if within[2:4] != "00" else within[:2]
            candidates = candidates.filter(kato__startswith=prefix)
        found = list(candidates.order_by("kato")[:2])
        if not found:
            raise RowError(f"no settlement named {name!r}"
                           + (f" in {within}" if within else ""))
        if len(found) > 1:
            raise RowError(f"several settlements are named {name!r}: give settlement_kato or "
                           f"district_kato")
        return found[0]


def link_unesco_by_containment() -> int:
    """A natural site inside a protected area of a UNESCO property belongs to it too."""
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE heritage_naturalsite s SET unesco_whc_id = p.unesco_whc_id
              FROM heritage_naturalsite p
             WHERE p.kind IN ('national_park', 'reserve') AND p.unesco_whc_id IS NOT NULL
               AND s.id <> p.id AND s.unesco_whc_id IS NULL
               AND ST_Covers(p.geom, s.point)
        """)
        return cursor.rowcount


def import_register(path, kind: str | None = None, commit: bool = False,
                    dataset: DatasetInfo | None = None) -> ImportReport:
    """Import one register file (see the module's rules); a dry run unless commit."""
    return RegisterImporter(Path(path), kind=kind, dataset=dataset).run(commit=commit)


# The shared reference files the demo and the contract data load, in order: outlines of the
# protected areas first, so sights inside them learn their UNESCO property.
SHARED_FILES = (
    ("nature/kz_protected_areas_osm.geojson", NATURE),
    ("nature/kz_lakes_naturalearth.geojson", NATURE),
    ("nature/kz_physical_regions_naturalearth.geojson", NATURE),
    ("nature/kz_peaks_naturalearth.geojson", NATURE),
    ("heritage/kz_notable_sites.csv", None),
)


def import_shared_data(commit: bool = True) -> list[ImportReport]:
    data_dir = Path(settings.TZ_DATA_DIR)
    return [import_register(data_dir / relative, kind=kind, commit=commit)
            for relative, kind in SHARED_FILES]
