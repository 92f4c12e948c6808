"""KATO settlements, geocoded against OpenStreetMap place points.

A settlement gets a point when an OSM place inside Kazakhstan and inside the settlement's 2024
district polygon carries the same normalised name (OSM name, name:kk or name:ru against the
KATO Russian or Kazakh name). When several OSM places match, the highest place rank and then
population wins; a tie, or one OSM place claimed by several settlements of the district (two
villages of one name), is reported as ambiguous and left without a point, since a wrong point
is worse than none.

Besides the classifier's `settlement` rows, the 42 cities it lists only as administrative
units (Astana, Almaty, Shymkent, "г.Семей"…) are settlements too; see kato.city_settlements.
"""

import logging
from collections import Counter, defaultdict

from django.contrib.gis.geos import Point

from layers.areas.models import Settlement
from layers.core.tagging import tag_rows

from .. import manifest
from ..kato import (
    REPUBLICAN_CITIES,
    KatoRow,
    city_settlements,
    district_of,
    oblast_of,
    read_kato,
    settlement_kind,
)
from .base import Importer
from .districts import DistrictPolygons
from .places import Place, PlaceIndex

logger = logging.getLogger(__name__)

GROUP = "settlement"
# name_en stays empty: OSM's name:en here is mostly the new Kazakh Latin script ("Qaskeleñ"),
# not an English name, and KATO has none.
COMPARED_FIELDS = ("name_kk", "name_ru", "kind", "geom", "population", "osm_id", "osm_place",
                   "match")
_BATCH = 1000


class SettlementImporter(Importer):
    name = "import_settlements"

    def load(self) -> None:
        kato_rows = read_kato(self.source(manifest.KATO))
        cities = city_settlements(kato_rows)
        rows = [r for r in kato_rows if r.level == "settlement"] + cities
        districts = DistrictPolygons.load()
        places = PlaceIndex(self.source(manifest.OSM_PLACES), self.source(manifest.ADM0_2018),
                            districts.polygons)
        self.report.figures["OSM places"] = places.total
        self.report.figures["OSM places outside Kazakhstan (dropped)"] = places.outside_country
        self.report.figures["OSM places in Kazakhstan but in no district polygon"] = (
            places.outside_districts)
        self.report.figures["OSM places in Kazakhstan without a name"] = places.unnamed

        values = self._geocode(rows, {r.kato for r in cities}, places, districts.search_in)
        changed = self._write(values)
        if changed:
            tag_rows(Settlement, pks=changed)
        self.report.figures["settlements tagged with areas"] = len(changed)

    # --- matching -----------------------------------------------------------------------------
    def _geocode(self, rows: list[KatoRow], cities: set[str], places: PlaceIndex,
                 search_in) -> dict[str, dict]:
        chosen: dict[str, Place] = {}
        tied, unsearchable = 0, []
        values = {}
        for row in rows:
            values[row.kato] = self._base_values(row)
            area_kato = self._search_area(row.kato, search_in)
            if area_kato is None:
                unsearchable.append(row.kato)
                continue
            place, tie = places.match(area_kato, (row.name_ru, row.name_kk))
            tied += tie
            if place is not None:
                chosen[row.kato] = place

        claimants = defaultdict(list)
        for kato, place in chosen.items():
            claimants[place.osm_id].append(kato)
        shared = 0
        matched = Counter()
        for kato, place in chosen.items():
            rivals = claimants[place.osm_id]
            # A village named after its town ("с.Сатпаев" by Satpaev) does not get the town's
            # point: the one city among the claimants keeps it, otherwise nobody does.
            if len(rivals) > 1 and [k for k in rivals if k in cities] != [kato]:
                shared += 1
                continue
            values[kato].update(
                geom=(place.x, place.y), population=place.population, osm_id=place.osm_id,
                osm_place=place.place, match=Settlement.Match.EXACT,
            )
            matched[oblast_of(kato)] += 1

        total, geocoded = len(rows), sum(matched.values())
        self.report.figures["settlements"] = (
            f"{total}: {total - len(cities)} KATO settlement rows and {len(cities)} cities KATO "
            "lists as administrative units")
        self.report.figures["settlements geocoded"] = (
            f"{geocoded} / {total} ({geocoded / total:.1%})" if total else "0 / 0")
        cities_geocoded = sum(1 for kato in cities if values[kato]["geom"] is not None)
        self.report.figures["cities geocoded"] = f"{cities_geocoded} / {len(cities)}"
        self.report.figures["not geocoded, ambiguous: equally ranked OSM places"] = tied
        self.report.figures["not geocoded, ambiguous: several KATO units on one OSM place"] = (
            shared)
        totals_by_oblast = Counter(oblast_of(r.kato) for r in rows)
        self.report.figures["geocoded by oblast (KATO prefix)"] = ", ".join(
            f"{oblast[:2]} {matched[oblast] / count:.0%}"
            for oblast, count in sorted(totals_by_oblast.items()))
        if unsearchable:
            self.report.note(f"{len(unsearchable)} settlement(s) lie in districts without any "
                             f"polygon to search in, left without a point: "
                             f"{', '.join(unsearchable[:20])}")
        return values

    @staticmethod
    def _search_area(kato: str, search_in) -> str | None:
        """Where to look for a settlement's OSM place: its district's polygon (or the one that
        contains a district without polygon); a city of republican significance in itself."""
        if kato == oblast_of(kato):
            return kato if kato[:2] in REPUBLICAN_CITIES else None
        return search_in.get(district_of(kato))

    @staticmethod
    def _base_values(row: KatoRow) -> dict:
        return {"name_kk": row.name_kk, "name_ru": row.name_ru, "kind": settlement_kind(row.name_ru), "geom": None, "population": None,
                "osm_id": None, "osm_place": "", "match": Settlement.Match.NONE}

    # --- writing ------------------------------------------------------------------------------
    def _write(self, values: dict[str, dict]) -> list[int]:
        """Upsert by KATO; returns the ids of created or changed rows (to be tagged).

        bulk_create skips Settlement.save(), which would tag one row per query: the rows are
        tagged together afterwards by the same tag_rows."""
        existing = {s.kato: s for s in Settlement.objects.all()}
        new, changed, changed_fields = [], [], set()
        for kato, fields in values.items():
            settlement = existing.get(kato)
            if settlement is None:
                new.append(Settlement(kato=kato, **self._orm(fields)))
                continue
            differing = [name for name in COMPARED_FIELDS
                         if not self._same(settlement, name, fields[name])]
            if not differing:
                self.report.count(GROUP, "unchanged")
                continue
            for name, value in self._orm({n: fields[n] for n in differing}).items():
                setattr(settlement, name, value)
            changed.append(settlement)
            changed_fields.update(differing)
        Settlement.objects.bulk_create(new, batch_size=_BATCH)
        if changed:
            Settlement.objects.bulk_update(changed, sorted(changed_fields), batch_size=_BATCH)
        self.report.count(GROUP, "created", len(new))
        self.report.count(GROUP, "updated", len(changed))
        stale = sorted(set(existing) - set(values))
        if stale:
            self.report.note(f"{len(stale)} settlement(s) in the database are not in the "
                             f"classifier and were left in place: {', '.join(stale[:20])}")
        return [s.pk for s in new] + [s.pk for s in changed]

    @staticmethod
    def _orm(fields: dict) -> dict:
        converted = dict(fields)
        if converted.get("geom") is not None:
            converted["geom"] = Point(*converted["geom"], srid=4326)
        return converted

    @staticmethod
    def _same(settlement: Settlement, name: str, value) -> bool:
        current = getattr(settlement, name)
        if name == "geom":
            return (current.coords if current is not None else None) == value
        return current == value
