"""Reading vector sources and cleaning polygons: CRS checks, 2D, valid, MultiPolygon."""

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from django.conf import settings
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from layers.core.geojson import COORDINATE_PRECISION

from .errors import SourceRejected

WGS84 = 4326
# The API writes coordinates with COORDINATE_PRECISION decimals (about 10 cm). Geometry is
# stored on that grid, made valid there, so that what the API writes out is valid too.
GRID = 10.0 ** -COORDINATE_PRECISION


def read_lonlat(path: Path, *, required_columns: tuple[str, ...] = (),
                within_kazakhstan: bool = True) -> gpd.GeoDataFrame:
    """A vector file in WGS 84 lon/lat, or SourceRejected.

    A file must declare EPSG:4326 (GeoJSON does so implicitly) and its coordinates must look
    like degrees: projected metres declared as degrees are the usual way a wrong CRS slips in.
    Boundary files must also lie within Kazakhstan's extent.
    """
    try:
        frame = pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise SourceRejected(path, f"cannot be read as a vector file: {exc}") from exc
    if frame.crs is None:
        raise SourceRejected(path, "declares no coordinate reference system; expected "
                                   "EPSG:4326 (WGS 84 lon/lat)")
    epsg = frame.crs.to_epsg()
    if epsg != WGS84:
        declared = f"{frame.crs.name} (EPSG:{epsg})" if epsg else frame.crs.name
        raise SourceRejected(path, f"declares {declared}; expected EPSG:4326 (WGS 84 lon/lat). "
                                   "Reproject the file first.")
    missing = [column for column in required_columns if column not in frame.columns]
    if missing:
        raise SourceRejected(path, f"required column(s) missing: {', '.join(missing)}")
    if len(frame) == 0:
        raise SourceRejected(path, "has no features")
    present = frame.geometry[~frame.geometry.isna() & ~frame.geometry.is_empty]
    if len(present):
        min_x, min_y, max_x, max_y = present.total_bounds
        if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
            raise SourceRejected(path, f"coordinates up to ({max_x:.0f}, {max_y:.0f}) are not "
                                       "degrees although EPSG:4326 is declared: wrong CRS")
        if within_kazakhstan and not _inside_bbox((min_x, min_y, max_x, max_y)):
            raise SourceRejected(path, f"extent ({min_x:.2f}, {min_y:.2f}, {max_x:.2f}, "
                                       f"{max_y:.2f}) lies outside Kazakhstan "
                                       f"{tuple(settings.KAZAKHSTAN_BBOX)}: wrong CRS or file")
    return frame


def _inside_bbox(bounds) -> bool:
    min_x, min_y, max_x, max_y = settings.KAZAKHSTAN_BBOX
    return (bounds[0] >= min_x and bounds[1] >= min_y
            and bounds[2] <= max_x and bounds[3] <= max_y)


def polygonal_parts(geom: BaseGeometry) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [part for member in geom.geoms for part in polygonal_parts(member)]
    return []


def clean_multipolygon(geom: BaseGeometry | None) -> tuple[MultiPolygon | None, str]:
    """A valid 2D MultiPolygon of the geometry's polygonal parts on the storage grid, and why
    it was repaired ("" when it was fine). None when nothing polygonal is left: such a row is
    rejected rather than stored with an invented shape."""
    if geom is None or geom.is_empty:
        return None, ""
    geom = shapely.force_2d(geom)
    repair = ""
    if not geom.is_valid:
        repair = shapely.is_valid_reason(geom)
        geom = shapely.make_valid(geom)
    # Snapping to the grid keeps the result valid (GEOS repairs what the rounding breaks).
    geom = shapely.set_precision(geom, GRID)
    parts = [part for part in polygonal_parts(geom) if part.area > 0]
    if not parts:
        return None, repair
    result = MultiPolygon(parts)
    if not result.is_valid:
        # Polygonal parts of make_valid's collection can touch along edges: dissolve them.
        result = MultiPolygon(polygonal_parts(shapely.union_all(parts)))
        repair = repair or "parts overlap"
    if not result.is_valid:
        return None, repair
    return result, repair


def to_geos(geom: BaseGeometry | None):
    """shapely → GEOSGeometry for the ORM (WKB keeps coordinates bit for bit)."""
    from django.contrib.gis.geos import GEOSGeometry

    if geom is None:
        return None
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=WGS84)


def from_geos(geom) -> BaseGeometry | None:
    if geom is None:
        return None
    return shapely.from_wkb(bytes(geom.wkb))
