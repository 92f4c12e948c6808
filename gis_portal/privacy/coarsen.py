"""Public positions of people: a settlement or okrug centre plus a fixed, keyed offset.

Why this shape:
- The input is the *anchor* (the centre of the person's settlement or rural okrug), never the
  home position: a point that was never stored cannot leak, and nothing public is more precise
  than the settlement, which the record names anyway.
- Without an offset everyone of one village stacks on one marker; the offset spreads them over
  an annulus around the centre (default 150–600 m, inside a typical village's extent).
- The offset is deterministic per record (HMAC of the record's seed): the same record always
  lands on the same public point, so reloading the map or comparing exports over time never
  averages towards anything. A fresh random offset per request would shift markers around and
  invite exactly that averaging.
- It is keyed with TZ_PRIVACY_INDEX_KEY: without the key nobody can recompute which seed
  (record id) produced which public point.
- The annulus has an inner radius, so no public point sits on the centre itself and two
  records never share it.

Seed: a stable identifier of the record that is not personal data, e.g. f"help:{uuid}".
"""

import math
import struct

from django.conf import settings
from django.contrib.gis.geos import Point

from .blind_index import keyed_digest

# Mean Earth radius (IUGG), metres: the error of a spherical step of a few hundred metres is
# far below a metre.
EARTH_RADIUS_M = 6_371_008.8
# Annulus of public offsets around a settlement or okrug centre.
DEFAULT_MIN_OFFSET_M = 150.0
DEFAULT_MAX_OFFSET_M = 600.0


def offset_for(seed: str, *, min_m: float = DEFAULT_MIN_OFFSET_M,
               max_m: float = DEFAULT_MAX_OFFSET_M) -> tuple[float, float]:
    """(bearing in degrees clockwise from north, distance in metres) of a seed's offset.
    The distance is drawn uniformly over the annulus's *area*, so the points do not crowd
    near the inner ring."""
    if not 0 <= min_m <= max_m:
        raise ValueError("need 0 <= min_m <= max_m")
    if not seed:
        raise ValueError("coarsening needs a non-empty seed (a stable record identifier)")
    digest = keyed_digest(seed, "coarsen.offset")
    a, b = struct.unpack(">QQ", digest[:16])
    u_bearing, u_area = a / 2**64, b / 2**64
    distance = math.sqrt(min_m**2 + u_area * (max_m**2 - min_m**2))
    return u_bearing * 360.0, distance


def destination(lon: float, lat: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """The point `distance_m` from (lon, lat) along `bearing_deg`, on the sphere."""
    phi1, lam1 = math.radians(lat), math.radians(lon)
    theta, delta = math.radians(bearing_deg), distance_m / EARTH_RADIUS_M
    sin_phi2 = (math.sin(phi1) * math.cos(delta)
                + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                             math.cos(delta) - math.sin(phi1) * sin_phi2)
    lon2 = (math.degrees(lam2) + 540.0) % 360.0 - 180.0
    return lon2, math.degrees(phi2)


def coarsen_point(anchor: Point, seed: str, *, min_m: float = DEFAULT_MIN_OFFSET_M,
                  max_m: float = DEFAULT_MAX_OFFSET_M) -> Point:
    """The public point of a record: `anchor` (a settlement or okrug centre, never a home)
    moved by the seed's keyed offset. SRID 4326 in and out (other SRIDs are transformed)."""
    if anchor is None or anchor.empty:
        raise ValueError("coarsening needs a settlement or okrug centre as anchor")
    if anchor.srid not in (None, settings.SRID):
        anchor = anchor.transform(settings.SRID, clone=True)
    bearing, distance = offset_for(seed, min_m=min_m, max_m=max_m)
    lon, lat = destination(anchor.x, anchor.y, bearing, distance)
    return Point(lon, lat, srid=settings.SRID)


def public_distance_sql(metres_sql: str) -> str:
    """SQL for a distance to a coarsened point as shown to the public: rounded to
    TZ_PRIVACY_DISTANCE_ROUND_M, and never below it (no "0 m away": the public point is not
    where the person is). Every response that measures to coarsened points uses this."""
    step = float(max(1, int(settings.TZ_PRIVACY_DISTANCE_ROUND_M)))
    return f"greatest({step!r}, round(({metres_sql}) / {step!r}) * {step!r})"
