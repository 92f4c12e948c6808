"""OpenStreetMap place points indexed for geocoding KATO names within a district.

Only places inside the national boundary count (the HOT export's bbox spills into the
neighbouring countries); each is assigned to the 2024 district polygon it lies in and indexed
under every normalised spelling of its name (name, name:kk, name:ru).
"""

import re
from collections import defaultdict
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from ..geometry import read_lonlat
from ..kato import oblast_of
from ..names import normalise

PLACE_RANK = {"city": 5, "town": 4, "village": 3, "hamlet": 2, "isolated_dwelling": 1}
OSM_COLUMNS = ("name", "name:kk", "name:ru", "place", "population", "osm_id")
_NUMBER = re.compile(r"\d+")
_MAX_POPULATION = 2**31 - 1


def parse_population(value) -> int | None:
    """OSM population is free text ("1234", "1 234", "~500", "1200;1300"): the first
    number, ignoring digit-group spaces."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = re.sub(r"[\s\u00a0\u202f']", "", str(value))
    match = _NUMBER.search(text)
    if not match:
        return None
    number = int(match.group())
    return number if number <= _MAX_POPULATION else None


def in_district_polygons(points: gpd.GeoDataFrame, polygons: dict) -> gpd.GeoDataFrame:
    """The points that lie in a district polygon, with that polygon's KATO as `district`.

    Every gazetteer point is assigned here, so a point is only ever matched to settlements of
    the district it lies in: no gazetteer position falls outside its settlement's district."""
    frame = gpd.GeoDataFrame({"district": list(polygons)},
                             geometry=list(polygons.values()), crs=points.crs)
    joined = gpd.sjoin(points, frame, predicate="within", how="left")
    joined = joined[~joined.index.duplicated(keep="first")]  # a point on a shared border
    return joined[joined["district"].notna()]


@dataclass
class Place:
    osm_id: int
    place: str
    population: int | None
    x: float
    y: float

    @property
    def rank(self) -> tuple[int, int]:
        return PLACE_RANK.get(self.place, 0), self.population or 0


class PlaceIndex:
    def __init__(self, places_path, country_path, polygons: dict):
        places = read_lonlat(places_path, required_columns=OSM_COLUMNS,
                             within_kazakhstan=False)
        country = read_lonlat(country_path)
        self.total = len(places)
        places = places[~places.geometry.isna()]
        boundary = shapely.union_all(country.geometry.values)
        shapely.prepare(boundary)
        inside = shapely.contains_xy(boundary, places.geometry.x, places.geometry.y)
        self.outside_country = int((~inside).sum())
        places = places[inside]

        joined = in_district_polygons(places, polygons)
        self.outside_districts = len(places) - len(joined)

        self._index = defaultdict(list)
        self.unnamed = 0
        names = [joined[c].to_numpy() for c in ("name", "name:kk", "name:ru")]
        kinds, populations, osm_ids, districts = (
            joined[c].to_numpy() for c in ("place", "population", "osm_id", "district"))
        xs, ys = joined.geometry.x.to_numpy(), joined.geometry.y.to_numpy()
        for i in range(len(joined)):
            keys = {normalise(column[i]) for column in names} - {None}
            if not keys:
                self.unnamed += 1
                continue
            place = Place(
                osm_id=int(osm_ids[i]), place=str(kinds[i] or ""),
                population=parse_population(populations[i]), x=float(xs[i]), y=float(ys[i]),
            )
            # Indexed under its district polygon and its oblast: a city of republican
            # significance is searched in the whole city.
            for key in keys:
                self._index[(districts[i], key)].append(place)
                self._index[(oblast_of(districts[i]), key)].append(place)

    def match(self, area_kato: str | None, names) -> tuple[Place | None, bool]:
        """The place in the area (a district polygon's or an oblast's KATO) carrying one of the
        names: the best ranked (place type, then population), or (None, True) when the best
        two rank equally."""
        candidates = {id(place): place
                      for key in {normalise(name) for name in names} - {None}
                      for place in self._index.get((area_kato, key), ())}
        if not candidates:
            return None, False
        ranked = sorted(candidates.values(), key=lambda place: place.rank, reverse=True)
        if len(ranked) > 1 and ranked[0].rank == ranked[1].rank:
            return None, True
        return ranked[0], False
