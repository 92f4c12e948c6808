"""Matching volunteers and help requests, in PostGIS.

For a help request: active volunteers who offer a direction that answers its kind of help
(the KindDirection table, data the akimat edits), who are available (at least one weekly hour,
or the given hours when `slots` is passed), and whose own travel distance reaches the
request's public point from their home settlement's point; nearest first. Distances are
geodesic metres (geography). The candidate search uses the GiST index on the volunteers'
points with a planar box around the request as wide as the longest travel distance any
active volunteer gives (one index look-up of max(travel_km)), then checks each candidate's own
distance geodesically; the kind's directions are read once, not per row.

For a volunteer: open, published requests of kinds their directions answer, within their
travel distance, nearest first.

Results are for staff and for the volunteer themselves: ids and distances only.
"""

from django.db import connection

# A kilometre is at most this many degrees of latitude; divided by cos(latitude) it bounds a
# degree of longitude too, so the planar ST_DWithin (GiST index) never drops a candidate
# the geodesic check would keep.
DEGREES_PER_KM = 1 / 110.5

VOLUNTEERS_FOR_REQUEST_SQL = f"""
WITH r AS MATERIALIZED (
    SELECT geom, geom::geography AS geog, kind_id FROM help_helprequest WHERE id = %(request)s
), reach AS MATERIALIZED (
    SELECT coalesce(max(travel_km), 0) AS km FROM volunteers_volunteer WHERE status = 'active'
), wanted AS MATERIALIZED (
    SELECT coalesce(array_agg(direction_id), '{{}}')::varchar[] AS directions
    FROM volunteers_kinddirection WHERE kind_id = (SELECT kind_id FROM r)
)
SELECT v.id, round(ST_Distance(v.geom::geography, r.geog))::int AS distance_m
FROM r, reach, wanted, volunteers_volunteer v
WHERE v.geom && ST_Expand(r.geom, {DEGREES_PER_KM} * reach.km / cos(radians(ST_Y(r.geom))),
                          {DEGREES_PER_KM} * reach.km)
  AND ST_DWithin(v.geom::geography, r.geog, v.travel_km * 1000)
  AND v.status = 'active'
  AND v.directions && wanted.directions
  AND cardinality(v.slots) > 0
  AND (%(slots)s::smallint[] IS NULL OR v.slots && %(slots)s::smallint[])
ORDER BY distance_m, v.id
LIMIT %(limit)s
"""

REQUESTS_FOR_VOLUNTEER_SQL = f"""
SELECT r.id, round(ST_Distance(v.geom::geography, r.geom::geography))::int AS distance_m
FROM volunteers_volunteer v
JOIN help_helprequest r
  ON ST_DWithin(r.geom, v.geom, {DEGREES_PER_KM} * v.travel_km / cos(radians(ST_Y(v.geom))))
 AND ST_DWithin(r.geom::geography, v.geom::geography, v.travel_km * 1000)
WHERE v.id = %(volunteer)s
  AND r.is_published AND r.consent_at IS NOT NULL AND r.erased_at IS NULL
  AND r.status = 'open'
  AND r.kind_id IN (SELECT kd.kind_id FROM volunteers_kinddirection kd
                    WHERE kd.direction_id = ANY(v.directions))
ORDER BY distance_m, r.id
LIMIT %(limit)s
"""


def volunteers_for_request(help_request_id: int, slots: list[int] | None = None,
                           limit: int = 20) -> list[tuple[int, int]]:
    """(volunteer id, distance in metres) pairs, nearest first."""
    with connection.cursor() as cursor:
        cursor.execute(VOLUNTEERS_FOR_REQUEST_SQL,
                       {"request": help_request_id, "slots": slots, "limit": limit})
        return [(row[0], row[1]) for row in cursor.fetchall()]


def requests_for_volunteer(volunteer_id: int, limit: int = 20) -> list[tuple[int, int]]:
    """(help request id, distance in metres) pairs, nearest first."""
    with connection.cursor() as cursor:
        cursor.execute(REQUESTS_FOR_VOLUNTEER_SQL, {"volunteer": volunteer_id, "limit": limit})
        return [(row[0], row[1]) for row in cursor.fetchall()]
