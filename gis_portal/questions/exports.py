"""An answer as a file: CSV (one row per feature, its group, properties and WKT) or a
GeoPackage written by GDAL through pyogrio, one table per group of the answer."""

import csv
import io
import json
import re
import tempfile
from pathlib import Path

from .spatial import Answer

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def answer_csv(answer: Answer) -> bytes:
    import shapely

    names: list[str] = []
    for group in answer.groups:
        for _pk, props, _geometry in group.features:
            names += [n for n in props if n not in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["group", "id", *names, "wkt"])
    for group in answer.groups:
        for pk, props, geometry in group.features:
            wkt = shapely.from_geojson(geometry).wkt if geometry else ""
            writer.writerow([group.name, pk, *(_cell(props.get(n)) for n in names), wkt])
    # The BOM lets spreadsheet programs read Kazakh and Russian names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _table_name(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", name.lower()) or "answer"


def answer_geopackage(answer: Answer) -> bytes:
    import geopandas as gpd
    import shapely

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answer.gpkg"
        written = False
        for group in answer.groups:
            if not group.features:
                continue
            names = list(dict.fromkeys(n for _, props, _ in group.features for n in props))
            frame = gpd.GeoDataFrame(
                {"fid_source": [str(pk) for pk, _, _ in group.features],
                 **{n: [_gpkg_value(props.get(n)) for _, props, _ in group.features]
                    for n in names}},
                geometry=[shapely.from_geojson(g) if g else None for _, _, g in group.features],
                crs="EPSG:4326")
            frame.to_file(path, driver="GPKG", layer=_table_name(group.name), engine="pyogrio",
                          mode="a" if written else "w")
            written = True
        if not written:
            # An empty answer is still a GeoPackage GIS programs open: one empty table.
            frame = gpd.GeoDataFrame({"fid_source": []}, geometry=[], crs="EPSG:4326")
            frame.to_file(path, driver="GPKG", layer="answer", engine="pyogrio")
        return path.read_bytes()


def _gpkg_value(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if value is not None and not isinstance(value, str | int | float | bool):
        return str(value)
    return value
