"""The planner's query: low-employment settlements with no investment project within N km.

A settlement qualifies when its latest employment indicator has an unemployment rate at least
`min_rate` and no project (other than a cancelled one) lies within `within_km` of its point.
The answer is ordered by unemployment, highest first.

Distances are geodesic: ST_DWithin on geography. The projects table has a GiST index on
`geom::geography` (migration 0001, investments_project_geog), so the NOT EXISTS probe is an
index scan per settlement, not a scan of every project; tests/investments/test_gaps.py checks
the plan with EXPLAIN.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from layers.core.errors import BadQuery
from layers.core.query import resolve_area

# Defaults when the request does not say: settings.TZ_INVESTMENT_GAP_MIN_RATE (percent) and
# settings.TZ_INVESTMENT_GAP_WITHIN_KM.
DEFAULT_MIN_RATE = 10.0
DEFAULT_WITHIN_KM = 25.0
MAX_WITHIN_KM = 300.0
MAX_GAPS = 2000


def default_min_rate() -> float:
    return float(getattr(settings, "TZ_INVESTMENT_GAP_MIN_RATE", DEFAULT_MIN_RATE))


def default_within_km() -> float:
    return float(getattr(settings, "TZ_INVESTMENT_GAP_WITHIN_KM", DEFAULT_WITHIN_KM))


@dataclass(frozen=True)
class GapQuery:
    within_km: float
    min_rate: float
    area: object = None  # an AdminArea of the current generation, or None: the country

    def params(self) -> dict:
        params = {"within_km": f"{self.within_km:g}", "min_rate": f"{self.min_rate:g}"}
        if self.area is not None:
            params["area"] = self.area.kato
        return params


def _number(raw, name: str, default: float, low: float, high: float,
            low_inclusive: bool) -> float:
    if raw in (None, ""):
        return default
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise BadQuery(_("%(name)s must be a number, got %(value)r")
                       % {"name": name, "value": str(raw)}, name) from None
    if not value.is_finite():
        raise BadQuery(_("%(name)s must be a finite number") % {"name": name}, name)
    value = float(value)
    if value > high or value < low or (value == low and not low_inclusive):
        if low_inclusive:
            message = _("%(name)s must be between %(low)g and %(high)g")
        else:
            message = _("%(name)s must be above %(low)g and at most %(high)g")
        raise BadQuery(message % {"name": name, "low": low, "high": high}, name)
    return value


def parse_gap_query(params) -> GapQuery:
    """The query from request parameters; BadQuery (400) saying what to fix."""
    unknown = sorted(set(params) - {"within_km", "min_rate", "area", "lang", "format"})
    if unknown:
        raise BadQuery(_("unknown parameter(s) %(names)s; this query takes within_km, "
                         "min_rate and area") % {"names": ", ".join(unknown)}, unknown[0])
    within_km = _number(params.get("within_km"), "within_km", default_within_km(), 0.0,
                        MAX_WITHIN_KM, low_inclusive=False)
    min_rate = _number(params.get("min_rate"), "min_rate", default_min_rate(), 0.0, 100.0,
                       low_inclusive=True)
    area = resolve_area(params["area"]) if params.get("area") else None
    return GapQuery(within_km=within_km, min_rate=min_rate, area=area)


# The area's settlements first (an index on the area tag), each with its latest indicator
# through the (settlement, year) unique index, then one project probe per settlement that
# passes the threshold. A DISTINCT ON over every indicator of the country would sort the
# whole table for an oblast's question.
GAP_SQL = """
SELECT s.id, s.kato, s.name_kk, s.name_ru, s.name_en, ST_X(s.geom), ST_Y(s.geom),
       l.year, l.working_age_population, l.employed, l.unemployed,
       l.unemployment_rate::float8, l.source, l.is_sample,
       o.kato, d.kato
FROM areas_settlement s
CROSS JOIN LATERAL (
  SELECT e.year, e.working_age_population, e.employed, e.unemployed, e.unemployment_rate,
         e.source, e.is_sample
  FROM investments_settlementemployment e
  WHERE e.settlement_id = s.id
  ORDER BY e.year DESC
  LIMIT 1
) l
LEFT JOIN areas_adminarea o ON o.id = s.oblast_id
LEFT JOIN areas_adminarea d ON d.id = s.district_id
WHERE l.unemployment_rate >= %(min_rate)s
  AND s.geom IS NOT NULL
  {area_condition}
  AND NOT EXISTS (
    SELECT 1 FROM investments_investmentproject p
    WHERE p.status <> 'cancelled'
      AND ST_DWithin(p.geom::geography, s.geom::geography, %(within_m)s))
ORDER BY l.unemployment_rate DESC, s.kato
LIMIT %(limit)s
"""


def gap_sql(query: GapQuery) -> tuple[str, dict]:
    area_condition = ""
    params = {"min_rate": query.min_rate, "within_m": query.within_km * 1000.0,
              "limit": MAX_GAPS}
    if query.area is not None:
        # Settlements are tagged by their KATO code (okrug) and point (oblast, district).
        area_condition = f"AND s.{query.area.level}_id = %(area_id)s"
        params["area_id"] = query.area.pk
    return GAP_SQL.format(area_condition=area_condition), params


@dataclass
class Gap:
    settlement_id: int
    kato: str
    names: dict
    lon: float
    lat: float
    year: int
    working_age_population: int
    employed: int
    unemployed: int
    unemployment_rate: float
    source: str
    is_sample: bool
    oblast: str | None
    district: str | None

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["kk"] or self.names["ru"]


def find_gaps(query: GapQuery) -> list[Gap]:
    sql, params = gap_sql(query)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Gap(settlement_id=r[0], kato=r[1], names={"kk": r[2], "ru": r[3], "en": r[4]},
                lon=r[5], lat=r[6], year=r[7], working_age_population=r[8], employed=r[9],
                unemployed=r[10], unemployment_rate=round(r[11], 2), source=r[12],
                is_sample=r[13], oblast=r[14], district=r[15]) for r in rows]


def explain_gaps(query: GapQuery) -> str:
    """The database's plan for the query (for tests and for anyone tuning it)."""
    sql, params = gap_sql(query)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
