"""KATO settlements, placed by name against two gazetteers: OpenStreetMap, then GeoNames.

A settlement gets a gazetteer point when a place inside its 2024 district polygon carries the
same name:

1. OpenStreetMap places: normalised name (OSM name, name:kk or name:ru against the KATO
   Russian or Kazakh name); several matches: the highest place rank, then population wins.
2. GeoNames localities (via Who's On First), for settlements OSM does not place: normalised
   Cyrillic names first, then the KATO names transliterated against the romanised name.

A tie (two different places ranked equally), or one place claimed by several settlements of
the district (two villages of one name), leaves the settlement without a gazetteer point,
since a wrong point is worse than an approximate one. Where both gazetteers place a settlement
more than CROSS_CHECK_KM apart, the OSM point is kept and the report lists the pair.

Settlements no gazetteer places get a fallback point from derive_okrugs' successor step
(fallbacks.SettlementPlacer); those points and staff corrections are never touched here.

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
from ..names import english_name, settlement_search_key, shown_former_names
from .base import Importer
from .districts import DistrictPolygons
from .geonames import Locality, LocalityIndex, distance_km
from .places import Place, PlaceIndex

logger = logging.getLogger(__name__)

GROUP = "settlement"
# KATO has no English names and OSM's name:en here is mostly the new Kazakh Latin script
# ("Qaskeleñ"): name_en is the Kazakh name romanised, as English-language maps print it
# (names.english_name).
NAME_FIELDS = ("name_kk", "name_ru", "name_en", "kind", "former_names", "name_search")
GAZETTEER_FIELDS = ("population", "osm_id", "osm_place", "match")
POSITION_FIELDS = ("geom", "position_source", "position_precision_m")
COMPARED_FIELDS = NAME_FIELDS + GAZETTEER_FIELDS + POSITION_FIELDS
_BATCH = 1000
Source = Settlement.PositionSource
GAZETTEERS = (Source.OSM, Source.GEONAMES)
FALLBACKS = (Source.OKRUG_CENTRE, Source.DISTRICT)
# Beyond this distance an OSM and a GeoNames point of one settlement are not the same place.
CROSS_CHECK_KM = 10.0
# How far the settlement may extend from its gazetteer point, by OSM place type.
OSM_PRECISION_M = {"city": 5000, "town": 2000, "village": 1000, "hamlet": 500,
                   "isolated_dwelling": 200}
GEONAMES_PRECISION_M = 1000
# KATO kinds of settlements proper (village, settlement, town; "" for unmarked names), which
# outrank winter quarters, stations and sites of the same name when they claim one place.
VILLAGE_KINDS = ("с.", "п.", "г.", "")


class SettlementImporter(Importer):
    name = "import_settlements"
    # (KATO, Russian name, km) of the settlements OSM and GeoNames place far apart; set by load.
    cross_check_disagreements: list[tuple[str, str, float]] = []

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
        localities = LocalityIndex(self.source(manifest.WOF_GEONAMES), districts.polygons)
        self.report.figures["GeoNames localities"] = localities.total
        self.report.figures["GeoNames localities not current (dropped)"] = localities.not_current
        self.report.figures["GeoNames localities in no district polygon"] = (
            localities.outside_districts)

        values = self._geocode(rows, {r.kato for r in cities}, places, localities,
                               districts.search_in)
        changed = self._write(values)
        if changed:
            tag_rows(Settlement, pks=changed)
        self.report.figures["settlements tagged with areas"] = len(changed)

    # --- matching -----------------------------------------------------------------------------
    def _geocode(self, rows: list[KatoRow], cities: set[str], places: PlaceIndex,
                 localities: LocalityIndex, search_in) -> dict[str, dict]:
        osm_chosen: dict[str, Place] = {}
        geonames_chosen: dict[str, Locality] = {}
        passes = Counter()
        unsearchable = []
        values = {}
        self.task.start(len(rows))
        for row in rows:
            self.task.advance()
            values[row.kato] = self._base_values(row)
            area_kato = self._search_area(row.kato, search_in)
            if area_kato is None:
                unsearchable.append(row.kato)
                continue
            place, tie = places.match(area_kato, (row.name_ru, row.name_kk))
            passes["OSM tie"] += tie
            if place is not None:
                osm_chosen[row.kato] = place
            locality, tie, kind = localities.match(area_kato, (row.name_ru, row.name_kk))
            passes["GeoNames tie"] += tie
            if locality is not None:
                geonames_chosen[row.kato] = locality
                passes[kind] += 1

        def claim_rank(kato: str) -> int:
            if kato in cities:
                return 2
            return 1 if values[kato]["kind"] in VILLAGE_KINDS else 0

        osm_chosen, osm_shared = _unshared(osm_chosen, lambda p: p.osm_id, claim_rank)
        geonames_chosen, geonames_shared = _unshared(
            geonames_chosen, lambda loc: (round(loc.x, 4), round(loc.y, 4)), claim_rank)

        disagreements = []
        by_source = Counter()
        for kato, fields in values.items():
            place, locality = osm_chosen.get(kato), geonames_chosen.get(kato)
            if place is not None:
                fields.update(
                    geom=(place.x, place.y), population=place.population, osm_id=place.osm_id,
                    osm_place=place.place, match=Settlement.Match.EXACT,
                    position_source=Source.OSM,
                    position_precision_m=OSM_PRECISION_M.get(place.place, 1000),
                )
                if locality is not None:
                    km = distance_km(place.x, place.y, locality.x, locality.y)
                    if km > CROSS_CHECK_KM:
                        disagreements.append((kato, fields["name_ru"], km))
            elif locality is not None:
                fields.update(
                    geom=(locality.x, locality.y), match=Settlement.Match.EXACT,
                    position_source=Source.GEONAMES, position_precision_m=GEONAMES_PRECISION_M,
                )
            else:
                continue
            by_source[fields["position_source"]] += 1

        total, placed = len(rows), sum(by_source.values())
        self.report.figures["settlements"] = (
            f"{total}: {total - len(cities)} KATO settlement rows and {len(cities)} cities KATO "
            "lists as administrative units")
        self.report.figures["settlements placed by a gazetteer"] = (
            f"{placed} / {total} ({placed / total:.1%}): OpenStreetMap {by_source[Source.OSM]}, "
            f"GeoNames {by_source[Source.GEONAMES]}" if total else "0 / 0")
        self.report.figures["GeoNames matches (before OSM precedence)"] = (
            f"Cyrillic names {passes['cyrillic']}, romanised names {passes['latin']}")
        cities_geocoded = sum(1 for kato in cities if values[kato]["geom"] is not None)
        self.report.figures["cities geocoded"] = f"{cities_geocoded} / {len(cities)}"
        self.report.figures["not placed by OSM, ambiguous: equally ranked places"] = (
            passes["OSM tie"])
        self.report.figures["not placed by OSM, ambiguous: several KATO units on one place"] = (
            osm_shared)
        self.report.figures["not placed by GeoNames, ambiguous: equally ranked places"] = (
            passes["GeoNames tie"])
        self.report.figures[
            "not placed by GeoNames, ambiguous: several KATO units on one point"] = (
            geonames_shared)
        self.cross_check_disagreements = sorted(disagreements)
        self.report.figures[f"OSM and GeoNames more than {CROSS_CHECK_KM:.0f} km apart "
                            "(OSM point kept)"] = len(disagreements)
        for kato, name, km in self.cross_check_disagreements:
            self.report.note(f"cross-check: {kato} {name}: OSM and GeoNames points {km:.1f} km "
                             "apart; the OSM point is kept")
        if unsearchable:
            self.report.note(f"{len(unsearchable)} settlement(s) lie in districts without any "
                             f"polygon to search in, left without a gazetteer point: "
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
        return {"name_kk": row.name_kk, "name_ru": row.name_ru,
                "name_en": english_name(row.name_kk), "kind": settlement_kind(row.name_ru),
                "former_names": shown_former_names(row.kato),
                "name_search": settlement_search_key(row.kato, row.name_kk, row.name_ru),
                "geom": None,
                "population": None,
                "osm_id": None, "osm_place": "", "match": Settlement.Match.NONE,
                "position_source": None, "position_precision_m": None}

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
            differing = [name for name in self._owned_fields(settlement, fields)
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
    def _owned_fields(settlement: Settlement, fields: dict) -> tuple[str, ...]:
        """What this import may change on an existing row: a staff position (and what goes
        with a point) is never overwritten; a fallback point stays for the placing step to
        revise unless a gazetteer now places the settlement."""
        if settlement.position_source == Source.STAFF:
            return NAME_FIELDS
        if settlement.position_source in FALLBACKS and fields["position_source"] is None:
            return NAME_FIELDS + GAZETTEER_FIELDS
        return COMPARED_FIELDS

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


def _unshared(chosen: dict, key, claim_rank) -> tuple[dict, int]:
    """The matches whose place no other settlement claims; and how many were dropped.

    A place claimed by several settlements goes to the one that outranks all the others
    (claim_rank: a city, then a village or settlement, then winter quarters, stations, sites),
    otherwise to nobody. A village named after its town ("с.Сатпаев" by Satpaev) does not get
    the town's point; the station or winter quarters named after a village do not get the
    village's; two villages of one name get nothing."""
    claimants = defaultdict(list)
    for kato, place in chosen.items():
        claimants[key(place)].append(kato)
    kept, shared = {}, 0
    for kato, place in chosen.items():
        rivals = claimants[key(place)]
        if len(rivals) > 1 and not (
                claim_rank(kato) > 0
                and all(claim_rank(kato) > claim_rank(k) for k in rivals if k != kato)):
            shared += 1
            continue
        kept[kato] = place
    return kept, shared
