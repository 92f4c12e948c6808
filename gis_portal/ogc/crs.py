"""Coordinate reference systems of the OGC API (Part 2, CRS by reference).

Every layer stores lon/lat (EPSG:4326 columns, axis order lon, lat), which is OGC's CRS84.
Responses may be asked for in three CRSs:

  CRS84        lon, lat (the default, and GeoJSON's own)
  EPSG:4326    lat, lon: the axis order the EPSG definition gives, as Part 2 requires
  EPSG:3857    Web Mercator metres, x, y

A bbox may be given in any of them (bbox-crs). Only the coordinates change: the geometry
drawn is always the layer's public one (layers.core.geojson.feature_rows' transform).
"""

from dataclasses import dataclass

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.db.models import Func

from layers.core.errors import BadQuery
from layers.core.params import parse_float


@dataclass(frozen=True)
class CRS:
    uri: str
    srid: int
    # True when the first axis is latitude (EPSG:4326 by its definition).
    lat_first: bool = False
    # Coordinate bounds of the CRS's domain, in its own axis order (for bbox checks).
    bounds: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)

    def geometry_expression(self, geometry):
        """The public geometry expression in this CRS, for AsGeoJSON."""
        if self.srid == 3857:
            return Transform(geometry, 3857)
        if self.lat_first:
            return Func(geometry, function="ST_FlipCoordinates",
                        output_field=GeometryField(srid=4326))
        return None  # stored as CRS84 already


CRS84 = CRS("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326)
EPSG_4326 = CRS("http://www.opengis.net/def/crs/EPSG/0/4326", 4326, lat_first=True,
                bounds=(-90.0, -180.0, 90.0, 180.0))
# Web Mercator's square world, in metres.
_MERCATOR = 20037508.342789244
EPSG_3857 = CRS("http://www.opengis.net/def/crs/EPSG/0/3857", 3857,
                bounds=(-_MERCATOR, -_MERCATOR * 1.5, _MERCATOR, _MERCATOR * 1.5))

SUPPORTED = (CRS84, EPSG_4326, EPSG_3857)
STORAGE_CRS = CRS84

# Other spellings clients send for the same CRSs.
_ALIASES = {
    "CRS84": CRS84, "OGC:CRS84": CRS84, "urn:ogc:def:crs:OGC:1.3:CRS84": CRS84,
    "EPSG:4326": EPSG_4326, "urn:ogc:def:crs:EPSG::4326": EPSG_4326,
    "EPSG:3857": EPSG_3857, "urn:ogc:def:crs:EPSG::3857": EPSG_3857,
}


def parse_crs(raw: str | None, parameter: str) -> CRS:
    """The CRS a crs= or bbox-crs= value names (default CRS84), or a 400 listing them."""
    if raw in (None, ""):
        return CRS84
    value = raw.strip().strip("[]<>")
    if value.startswith("https://"):
        value = "http://" + value.removeprefix("https://")
    for crs in SUPPORTED:
        if value == crs.uri:
            return crs
    if value in _ALIASES:
        return _ALIASES[value]
    raise BadQuery(f"{parameter} must be one of {', '.join(c.uri for c in SUPPORTED)}; "
                   f"got {raw!r}", parameter)


def content_crs_header(crs: CRS) -> str:
    return f"<{crs.uri}>"


def parse_bbox(raw: str, crs: CRS) -> Polygon:
    """A bbox (4 numbers, or 6 with heights, which are ignored) in `crs`, as a lon/lat
    polygon in the storage CRS. Axis order follows the CRS: EPSG:4326 is lat,lon."""
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise BadQuery("bbox must be four numbers: lower left and upper right corner, in the "
                       "order of bbox-crs (CRS84: min_lon,min_lat,max_lon,max_lat; EPSG:4326: "
                       "min_lat,min_lon,max_lat,max_lon)", "bbox")
    numbers = [parse_float(p, "bbox") for p in parts]
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    low_a, low_b, high_a, high_b = numbers
    if not (low_a <= high_a and low_b <= high_b):
        raise BadQuery("bbox lower corner must be below and left of its upper corner "
                       "(crossing the antimeridian is not needed in Kazakhstan)", "bbox")
    min_a, min_b, max_a, max_b = crs.bounds
    if not (min_a <= low_a and high_a <= max_a and min_b <= low_b and high_b <= max_b):
        raise BadQuery(f"bbox is outside the coordinate range of {crs.uri}: check bbox-crs "
                       "and the axis order", "bbox")
    if crs.lat_first:
        low_a, low_b, high_a, high_b = low_b, low_a, high_b, high_a
    polygon = Polygon.from_bbox((low_a, low_b, high_a, high_b))
    polygon.srid = crs.srid
    if crs.srid != 4326:
        polygon.transform(4326)
    return polygon
