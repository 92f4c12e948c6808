"""GeoNames localities (via Who's On First) indexed for placing KATO settlements by name.

The second gazetteer, after OpenStreetMap. Each locality lies in a 2024 district polygon and is
indexed there (and under its oblast, for the cities of republican significance) twice:

- under every normalised Cyrillic spelling of its Russian and Kazakh names (`names_ru`,
  `names_kk`, `|`-separated variants), compared with the KATO names as the OSM pass does;
- under the Latin key of its romanised name (`name_latin`, and the Latin variants among the
  Kazakh names), compared with the KATO names transliterated (names.latin_key).

Rows marked not current (`is_current` 0: the place was renamed, merged or abandoned) are
dropped; -1 (unknown, most rows) is kept.
"""

import csv
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely

from ..errors import SourceRejected
from ..kato import oblast_of
from ..names import latin_key, normalise
from .places import in_district_polygons

REQUIRED_COLUMNS = ("wof_id", "geonameid", "feature_code", "lon", "lat", "name_latin",
                    "names_ru", "names_kk", "is_current")
# GeoNames feature codes: capital, seats of first- to fourth-order divisions, populated place.
FEATURE_RANK = {"PPLC": 6, "PPLA": 5, "PPLA2": 4, "PPLA3": 3, "PPLA4": 2, "PPL": 1}
# Two records of one name this close are one place recorded twice, not two candidates.
SAME_PLACE_KM = 1.0


@dataclass(frozen=True)
class Locality:
    wof_id: int
    geonameid: int | None
    feature_code: str
    x: float
    y: float

    @property
    def rank(self) -> int:
        return FEATURE_RANK.get(self.feature_code, 0)


def distance_km(a_x: float, a_y: float, b_x: float, b_y: float) -> float:
    """Great-circle distance between two lon/lat points (haversine, mean Earth radius)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a_x, a_y, b_x, b_y))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def read_localities(path: Path) -> tuple[list[dict], int, int]:
    """The usable rows, how many were dropped as not current, how many had no position."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise SourceRejected(path, f"required column(s) missing: {', '.join(missing)}")
            rows, not_current, unpositioned = [], 0, 0
            for row in reader:
                if None in row or any(row[c] is None for c in REQUIRED_COLUMNS):
                    raise SourceRejected(path, f"line {reader.line_num}: truncated or garbled row")
                if row["is_current"].strip() == "0":
                    not_current += 1
                    continue
                try:
                    row["lon"], row["lat"] = float(row["lon"]), float(row["lat"])
                except ValueError:
                    unpositioned += 1
                    continue
                if not (math.isfinite(row["lon"]) and math.isfinite(row["lat"])):
                    unpositioned += 1
                    continue
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise SourceRejected(path, f"not UTF-8 text (byte {exc.start}): garbled file") from exc
    except csv.Error as exc:
        raise SourceRejected(path, f"malformed CSV: {exc}") from exc
    except OSError as exc:
        raise SourceRejected(path, f"cannot be read: {exc}") from exc
    if not rows and not not_current:
        raise SourceRejected(path, "no data rows")
    return rows, not_current, unpositioned


def _variants(field: str) -> list[str]:
    return [v.strip() for v in field.split("|") if v.strip()]


class LocalityIndex:
    def __init__(self, path: Path, polygons: dict):
        rows, self.not_current, self.unpositioned = read_localities(path)
        self.total = len(rows) + self.not_current + self.unpositioned
        frame = gpd.GeoDataFrame(
            {"row": range(len(rows))},
            geometry=shapely.points([r["lon"] for r in rows], [r["lat"] for r in rows]),
            crs="EPSG:4326",
        )
        joined = in_district_polygons(frame, polygons)
        self.outside_districts = len(rows) - len(joined)

        self._cyrillic = defaultdict(list)
        self._latin = defaultdict(list)
        for position, district in zip(joined["row"].to_numpy(), joined["district"].to_numpy(),
                                      strict=True):
            row = rows[int(position)]
            locality = Locality(
                wof_id=int(row["wof_id"]),
                geonameid=int(row["geonameid"]) if row["geonameid"].strip().isdigit() else None,
                feature_code=row["feature_code"].strip(), x=row["lon"], y=row["lat"],
            )
            names = _variants(row["names_ru"]) + _variants(row["names_kk"])
            cyrillic = {normalise(n) for n in names if _is_cyrillic(n)} - {None}
            latin = ({latin_key(row["name_latin"])}
                     | {latin_key(n) for n in names if not _is_cyrillic(n)}) - {None}
            for area in (district, oblast_of(district)):
                for key in cyrillic:
                    self._cyrillic[(area, key)].append(locality)
                for key in latin:
                    self._latin[(area, key)].append(locality)

    def match(self, area_kato: str | None, names) -> tuple[Locality | None, bool, str]:
        """The locality in the area carrying one of the names: Cyrillic names first, then the
        romanised ones. Returns (locality, tie, pass) with pass "cyrillic" or "latin"; a tie
        (two different places ranked equally) returns (None, True, pass)."""
        names = [n for n in names if n]
        for kind, index, key_of in (("cyrillic", self._cyrillic, normalise),
                                    ("latin", self._latin, latin_key)):
            keys = {key_of(name) for name in names} - {None}
            candidates = {loc.wof_id: loc for key in keys
                          for loc in index.get((area_kato, key), ())}
            if not candidates:
                continue
            best, tie = _best(list(candidates.values()))
            return best, tie, kind
        return None, False, ""


def _best(candidates: list[Locality]) -> tuple[Locality | None, bool]:
    ranked = sorted(candidates, key=lambda loc: (-loc.rank, loc.wof_id))
    best = ranked[0]
    for other in ranked[1:]:
        if other.rank < best.rank:
            break
        if distance_km(best.x, best.y, other.x, other.y) > SAME_PLACE_KM:
            return None, True
    return best, False


def _is_cyrillic(text: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in text)
