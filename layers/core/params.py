"""Parsing of the spatial query parameters shared by every layer and the areas API, and of
the row ids in API addresses."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon

from .errors import BadQuery

# The largest id a bigint primary key holds.
MAX_ID = 2**63 - 1


def path_id(text: str) -> int | None:
    """The row id an API address names, or None when the text is no id (the API then answers
    its own JSON 404, where Django's int converter would have answered an HTML page)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ID:
        return None
    return int(text)


def parse_float(raw: str, parameter: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadQuery(f"{parameter} must be a number, got {raw!r}", parameter) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadQuery(f"{parameter} must be a finite number", parameter)
    return value


def inside_kazakhstan(lon: float, lat: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = settings.KAZAKHSTAN_BBOX
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def parse_lon_lat(lon_raw: str | None, lat_raw: str | None, names=("lon", "lat")) -> Point:
    return Point(*parse_lon_lat_values(lon_raw, lat_raw, names), srid=settings.SRID)


def parse_lon_lat_values(lon_raw: str | None, lat_raw: str | None,
                         names=("lon", "lat")) -> tuple[float, float]:
    """parse_lon_lat's checked longitude and latitude, without building a GEOS point (the
    point lookup only binds the two numbers)."""
    if lon_raw in (None, "") or lat_raw in (None, ""):
        raise BadQuery(f"give both {names[0]} and {names[1]} (WGS 84 degrees, e.g. "
                       f"{names[0]}=76.95&{names[1]}=43.24)", names[0])
    lon = parse_float(lon_raw, names[0])
    lat = parse_float(lat_raw, names[1])
    if not (-180 <= lon <= 180):
        raise BadQuery(f"{names[0]} must be between -180 and 180", names[0])
    if not (-90 <= lat <= 90):
        raise BadQuery(f"{names[1]} must be between -90 and 90", names[1])
    return lon, lat


def parse_bbox(raw: str) -> Polygon:
    parts = raw.split(",")
    if len(parts) != 4:
        raise BadQuery("bbox must be min_lon,min_lat,max_lon,max_lat (four numbers)", "bbox")
    min_lon, min_lat, max_lon, max_lat = (parse_float(p, "bbox") for p in parts)
    if not (min_lon < max_lon and min_lat < max_lat):
        raise BadQuery("bbox minimums must be smaller than its maximums", "bbox")
    if not (-180 <= min_lon and max_lon <= 180 and -90 <= min_lat and max_lat <= 90):
        raise BadQuery("bbox must be in WGS 84 degrees (EPSG:4326), lon ±180, lat ±90", "bbox")
    k_min_lon, k_min_lat, k_max_lon, k_max_lat = settings.KAZAKHSTAN_BBOX
    if max_lon < k_min_lon or min_lon > k_max_lon or max_lat < k_min_lat or min_lat > k_max_lat:
        raise BadQuery("bbox does not overlap Kazakhstan", "bbox")
    polygon = Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))
    polygon.srid = settings.SRID
    return polygon


@dataclass(frozen=True)
class Near:
    point: Point
    km: float


MAX_NEAR_KM = 500.0


def parse_near(near_raw: str, within_raw: str | None) -> Near:
    parts = near_raw.split(",")
    if len(parts) != 2:
        raise BadQuery("near must be lon,lat (e.g. near=71.43,51.13)", "near")
    point = parse_lon_lat(parts[0], parts[1], names=("near", "near"))
    if not inside_kazakhstan(point.x, point.y):
        raise BadQuery("near is outside Kazakhstan", "near")
    km = parse_float(within_raw, "within") if within_raw not in (None, "") else 10.0
    if not (0 < km <= MAX_NEAR_KM):
        raise BadQuery(f"within must be a distance in km, above 0 and at most {MAX_NEAR_KM:g}",
                       "within")
    return Near(point, km)


def parse_int(raw: str | None, parameter: str, default: int, minimum: int, maximum: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"{parameter} must be a whole number, got {raw!r}", parameter) from None
    if not (minimum <= value <= maximum):
        raise BadQuery(f"{parameter} must be between {minimum} and {maximum}", parameter)
    return value
