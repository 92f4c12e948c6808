"""The 2024 district polygons that settlements are geocoded in and okrugs are drawn in."""

from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry

from layers.areas.models import AdminArea

from .. import defects
from ..errors import PrerequisiteMissing
from ..geometry import from_geos

GENERATION = "2024"


@dataclass
class DistrictPolygons:
    polygons: dict[str, BaseGeometry]  # district KATO → its polygon
    # district KATO → KATO of the polygon its territory lies in: its own, or for a district the
    # source has no polygon for (a known defect), the district it was split from.
    search_in: dict[str, str]
    names: dict[str, str]  # district KATO → English (else Russian) name

    @classmethod
    def load(cls) -> "DistrictPolygons":
        districts = list(
            AdminArea.objects.filter(generation__code=GENERATION, level=AdminArea.Level.DISTRICT)
            .values_list("kato", "geom", "name_en", "name_ru")
        )
        if not districts:
            raise PrerequisiteMissing(
                f"the {GENERATION} districts are not loaded: run import_boundaries first")
        polygons = {kato: from_geos(geom) for kato, geom, _, _ in districts if geom is not None}
        search_in = {kato: kato for kato in polygons}
        for kato, geom, _, _ in districts:
            missing = defects.MISSING_POLYGONS_2024.get(kato)
            if geom is None and missing and missing.container_kato in polygons:
                search_in[kato] = missing.container_kato
        names = {kato: name_en or name_ru for kato, _, name_en, name_ru in districts}
        return cls(polygons=polygons, search_in=search_in, names=names)
