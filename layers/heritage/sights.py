"""Heritage sights for the road-trip planner: one row per published monument or natural site.

SIGHTS_SQL is a plain SELECT usable as a CTE (`WITH sights AS (<SIGHTS_SQL>) ...`) and takes
no parameters. Columns:

    layer text                 'monuments' or 'nature' (the layer slugs)
    id bigint                  the record's id in its layer
    name_kk, name_ru, name_en  text
    category text              the record's kind (e.g. 'architecture', 'lake', 'national_park')
    significance_rank int      3 UNESCO, 2 republican, 1 local
    is_nature bool
    unesco bool                part of a UNESCO World Heritage property
    approximate bool           the position is only roughly known
    geom geometry(Point,4326)  polygon sites: their point on the surface
"""

MONUMENT_LAYER = "monuments"
NATURE_LAYER = "nature"

_RANK = ("CASE {t}.significance WHEN 'unesco' THEN 3 WHEN 'republican' THEN 2 ELSE 1 END")

SIGHTS_SQL = f"""
SELECT '{MONUMENT_LAYER}'::text AS layer, m.id::bigint AS id,
       m.name_kk::text AS name_kk, m.name_ru::text AS name_ru, m.name_en::text AS name_en,
       m.kind::text AS category, ({_RANK.format(t="m")})::int AS significance_rank,
       false AS is_nature,
       (m.significance = 'unesco' OR m.unesco_whc_id IS NOT NULL) AS unesco,
       m.position_approximate AS approximate,
       m.geom::geometry(Point, 4326) AS geom
  FROM heritage_monument m
 WHERE m.is_published
UNION ALL
SELECT '{NATURE_LAYER}'::text, n.id::bigint,
       n.name_kk::text, n.name_ru::text, n.name_en::text,
       n.kind::text, ({_RANK.format(t="n")})::int,
       true,
       (n.significance = 'unesco' OR n.unesco_whc_id IS NOT NULL),
       n.position_approximate,
       n.point::geometry(Point, 4326)
  FROM heritage_naturalsite n
 WHERE n.is_published
"""
