"""Everything derived from settlement points, redone after some points changed.

Okrug polygons are Voronoi cells of the placed settlements, fallback points come from the
okrugs (their centre village, a point inside them), and every layer's okrug tags come from the
okrug polygons. So when a settlement's point changes (a staff correction), in this order:

1. the okrug polygons of its district are redrawn (importers.okrugs.OkrugDeriver);
2. the fallback points of that district's settlements are revised
   (importers.fallbacks.SettlementPlacer);
3. the settlements of the district are re-tagged, and so is every row of every registered
   area-tagged layer that lies in the district polygon (layers.core.tagging.tag_rows).

Call it inside the transaction that changed the points; it raises ReferenceDataError when the
reference data is not loaded.
"""

import logging

from django.db import connection, transaction

from layers.areas.generations import area_tagged_models
from layers.areas.models import AdminArea, Settlement
from layers.core.tagging import tag_rows

from .importers import OkrugDeriver, SettlementPlacer
from .importers.districts import GENERATION, DistrictPolygons
from .kato import district_of

logger = logging.getLogger(__name__)


@transaction.atomic
def rederive_after_position_change(settlement_ids) -> dict[str, int]:
    """Redraw, re-place and re-tag what depends on the points of these settlements.

    Returns counts: okrug polygons changed, fallback points moved, rows re-tagged per model.
    """
    katos = set(Settlement.objects.filter(pk__in=list(settlement_ids))
                .values_list("kato", flat=True))
    search_in = DistrictPolygons.load().search_in
    polygons = {search_in[district_of(k)] for k in katos if district_of(k) in search_in}
    if not polygons:
        return {"okrug polygons changed": 0, "fallback points moved": 0}

    deriver = OkrugDeriver(polygon_katos=polygons)
    placer = SettlementPlacer(polygon_katos=polygons)
    deriver.load()  # both raise ReferenceDataError when the reference data is not loaded
    placer.load()
    districts = [d for d, polygon in search_in.items() if polygon in polygons]

    summary = {
        "okrug polygons changed": deriver.report.total("updated"),
        "fallback points moved": placer.report.total("updated"),
    }
    for model in area_tagged_models():
        pks = _rows_in(model, polygons, districts)
        summary[model._meta.label] = tag_rows(model, pks=pks) if pks else 0
    logger.info("re-derived after position change in %s: %s", sorted(polygons), summary)
    return summary


def _rows_in(model, polygons: set[str], districts: list[str]) -> list:
    """Primary keys of the model's rows inside the district polygons; for settlements, also
    every row whose KATO code lies in those districts."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    params = [GENERATION, AdminArea.Level.DISTRICT, list(polygons)]
    by_kato = ""
    if model is Settlement:
        by_kato = (" OR left(t.kato, 4) || '00000' = ANY(%s)"
                   " OR left(t.kato, 6) || '000' = ANY(%s)")
        params += [districts, districts]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.{pk} FROM {table} t WHERE EXISTS (
                SELECT 1 FROM areas_adminareapart p
                JOIN areas_boundarygeneration g ON g.id = p.generation_id AND g.code = %s
                JOIN areas_adminarea a ON a.id = p.area_id
                WHERE p.level = %s AND a.kato = ANY(%s) AND ST_Intersects(p.geom, t.geom)){by_kato}
            """,
            params,
        )
        return [row[0] for row in cursor.fetchall()]
