"""Area tagging: the one code path that sets oblast/district/okrug on layer features.

A feature is tagged by the areas of the current generation that contain a point on its
surface (ST_PointOnSurface keeps polygons and lines inside themselves). Rows without geometry
are tagged from their KATO code's parents when the model names a KATO field.
"""

from django.db import connection

LEVELS = ("oblast", "district", "okrug")


def _current_generation_id(cursor) -> int | None:
    cursor.execute("SELECT id FROM areas_boundarygeneration WHERE is_current")
    row = cursor.fetchone()
    return row[0] if row else None


def tag_rows(model, pks=None) -> int:
    """Tag the given rows of a layer model (all rows when pks is None); returns rows touched."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    where_pks, params_pks = "", []
    if pks is not None:
        where_pks = f" AND t.{pk_column} = ANY(%s)"
        params_pks = [list(pks)]
    touched = 0
    with connection.cursor() as cursor:
        generation_id = _current_generation_id(cursor)
        if generation_id is None:
            return 0
        assignments = ", ".join(
            f"{level}_id = (SELECT p.area_id FROM areas_adminareapart p "
            f"WHERE p.generation_id = %s AND p.level = '{level}' "
            f"AND ST_Intersects(p.geom, ST_PointOnSurface(t.geom)) LIMIT 1)"
            for level in LEVELS
        )
        cursor.execute(
            f"UPDATE {table} t SET {assignments} WHERE t.geom IS NOT NULL{where_pks}",
            [generation_id] * len(LEVELS) + params_pks,
        )
        touched += cursor.rowcount
        if getattr(model, "okrug_by_kato", False):
            _okrug_by_kato(cursor, model, table, generation_id, where_pks, params_pks)
        if model.area_kato_field:
            touched += _tag_by_kato(cursor, model, table, pk_column, generation_id, where_pks,
                                    params_pks)
    return touched


def _okrug_by_kato(cursor, model, table, generation_id, where_pks, params_pks) -> None:
    """A model whose KATO code names its okrug (settlements) takes the okrug from the code even
    where it has a point: an approximate point may lie in a neighbouring okrug's polygon. A
    code of no district of the current generation keeps the okrug its point lies in."""
    kato = connection.ops.quote_name(model._meta.get_field(model.area_kato_field).column)
    cursor.execute(
        f"""
        UPDATE {table} t SET okrug_id = (SELECT a.id FROM areas_adminarea a
            WHERE a.generation_id = %s AND a.level = 'okrug' AND a.kato = left(t.{kato}, 6) || '000')
        WHERE t.geom IS NOT NULL{where_pks} AND EXISTS (
            SELECT 1 FROM areas_adminarea d WHERE d.generation_id = %s AND d.level = 'district'
            AND d.kato IN (left(t.{kato}, 4) || '00000', left(t.{kato}, 6) || '000'))
        """,
        [generation_id] + params_pks + [generation_id],
    )


def _tag_by_kato(cursor, model, table, pk_column, generation_id, where_pks, params_pks) -> int:
    """KATO codes nest: okrug = first 6 digits + 000, district = first 4 + 00000 (or the
    first 6 for districts of the cities of republican significance), oblast = first 2.
    A record tied to a settlement (model.kato_is_exact) takes all three from the settlement's
    code even where it has a geometry: the code is exact, the okrug polygons are not."""
    kato = connection.ops.quote_name(model._meta.get_field(model.area_kato_field).column)
    rows = f"t.{kato} <> ''" if getattr(model, "kato_is_exact", False) else "t.geom IS NULL"
    cursor.execute(
        f"""
        UPDATE {table} t SET
          okrug_id = (SELECT a.id FROM areas_adminarea a WHERE a.generation_id = %s
                      AND a.level = 'okrug' AND a.kato = left(t.{kato}, 6) || '000'),
          district_id = (SELECT a.id FROM areas_adminarea a WHERE a.generation_id = %s
                      AND a.level = 'district'
                      AND a.kato IN (left(t.{kato}, 4) || '00000', left(t.{kato}, 6) || '000')
                      ORDER BY a.kato DESC LIMIT 1),
          oblast_id = (SELECT a.id FROM areas_adminarea a WHERE a.generation_id = %s
                      AND a.level = 'oblast' AND a.kato = left(t.{kato}, 2) || '0000000')
        WHERE {rows}{where_pks}
        """,
        [generation_id] * 3 + params_pks,
    )
    return cursor.rowcount
