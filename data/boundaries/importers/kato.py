"""Rural okrugs and village/town administrations of the current classifier.

Every KATO `sub_district` row except the 19 districts of Astana, Almaty and Shymkent (which
import_boundaries loads as districts) becomes an okrug-level area of the 2024 generation under
its district. Names and kind only: their approximate polygons are drawn by derive_okrugs.
"""

from collections import Counter

from layers.areas.models import AdminArea, BoundaryGeneration

from .. import manifest
from ..errors import PrerequisiteMissing
from ..kato import district_of, is_city_district, okrug_kind, read_kato
from ..names import english_name
from .areas import AreaRecord, AreaWriter
from .base import Importer

GENERATION = "2024"
# Okrugs are approximate as a level: whatever boundary an okrug has is derived, never official.
# KATO names okrugs in Kazakh and Russian only: name_en is the Kazakh name romanised.
OKRUG_FIELDS = ("level", "name_kk", "name_ru", "name_en", "kind", "parent", "approximate")


class KatoImporter(Importer):
    name = "import_kato"

    def load(self) -> None:
        rows = read_kato(self.source(manifest.KATO))
        generation = BoundaryGeneration.objects.filter(code=GENERATION).first()
        if generation is None or not AdminArea.objects.filter(
                generation=generation, level=AdminArea.Level.DISTRICT).exists():
            raise PrerequisiteMissing(
                f"the {GENERATION} districts are not loaded: run import_boundaries first")

        group = f"{GENERATION} okrug"
        records = [
            AreaRecord(
                kato=row.kato, level=AdminArea.Level.OKRUG, name_kk=row.name_kk,
                name_ru=row.name_ru, name_en=english_name(row.name_kk),
                kind=okrug_kind(row.name_ru),
                parent_kato=district_of(row.kato), approximate=True,
            )
            for row in rows
            if row.level == "sub_district" and not is_city_district(row)
        ]
        writer = AreaWriter(generation, self.report)
        writer.write(group, records, OKRUG_FIELDS)
        writer.report_stale(group, AdminArea.Level.OKRUG, {r.kato for r in records})
        writer.retag_if_reshaped()
        kinds = Counter(record.kind or "—" for record in records)
        self.report.figures["okrug kinds"] = ", ".join(
            f"{kind} {count}" for kind, count in kinds.most_common())
        self.report.figures["classifier rows"] = len(rows)
